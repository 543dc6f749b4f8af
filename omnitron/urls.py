import os

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from omnitron.auth import LoginView
from omnitron.authentication import TokenAuthentication
from omnitron.json_renderer import FastJSONRenderer


class SchemaView(SpectacularAPIView):
    """The OpenAPI document: YAML, or JSON (`Accept` or `?format=json`).

    Its errors (401 without a token) are `{"detail": ...}` in JSON, like every
    other error of the API, not a YAML document.
    """

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = FastJSONRenderer()
        self.request.accepted_media_type = FastJSONRenderer.media_type
        return response


api_v1 = [
    path("auth/login/", LoginView.as_view(), name="login"),
    path("", include("channels.urls")),
    path("", include("customers.urls")),
    path("", include("orders.urls")),
    path("", include("audit.urls")),
    path("", include("events.urls")),
    # The docs page fetches the schema with the browser's session (log in at
    # /admin/ first) or the token given to its Authorize button.
    path(
        "schema/",
        SchemaView.as_view(
            authentication_classes=[TokenAuthentication, SessionAuthentication],
            permission_classes=[IsAuthenticated],
        ),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(
            url_name="schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

# The plain-DRF baseline of the API benchmark (bench/api.py sets the variable):
# never mounted in production.
if os.environ.get("OMNITRON_BENCH_BASELINE") == "1":
    urlpatterns.append(path("bench-baseline/", include("bench.baseline.urls")))

handler400 = "omnitron.exceptions.bad_request"
handler403 = "omnitron.exceptions.permission_denied"
handler404 = "omnitron.exceptions.not_found"
handler500 = "omnitron.exceptions.server_error"
