from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.settings import api_settings

from omnitron.json_renderer import FastJSONRenderer


class ErrorsInJSON:
    """Errors are `{"detail": ...}` in JSON, like every other error of the API,
    whatever the view renders otherwise (a YAML document, an HTML page)."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = FastJSONRenderer()
        self.request.accepted_media_type = FastJSONRenderer.media_type
        return response


class SchemaView(ErrorsInJSON, SpectacularAPIView):
    """The OpenAPI document: YAML, or JSON (`Accept` or `?format=json`)."""


class DocsView(ErrorsInJSON, SpectacularSwaggerView):
    """The interactive page of the OpenAPI document."""


api_v1 = [
    path("", include("apitokens.urls")),
    path("", include("channels.urls")),
    path("", include("customers.urls")),
    path("", include("locations.urls")),
    path("", include("addresses.urls")),
    path("", include("orders.urls")),
    path("", include("audit.urls")),
    path("", include("events.urls")),
    path("", include("privacy.urls")),
    # The docs page fetches the schema with the browser's session (log in at
    # /admin/ first) or the token given to its Authorize button.
    path(
        "schema/",
        SchemaView.as_view(
            authentication_classes=[
                *api_settings.DEFAULT_AUTHENTICATION_CLASSES,
                SessionAuthentication,
            ],
            permission_classes=[IsAuthenticated],
        ),
        name="schema",
    ),
    path(
        "docs/",
        DocsView.as_view(
            url_name="schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler400 = "omnitron.exceptions.bad_request"
handler403 = "omnitron.exceptions.permission_denied"
handler404 = "omnitron.exceptions.not_found"
handler500 = "omnitron.exceptions.server_error"
