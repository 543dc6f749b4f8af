from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated

from omnitron.auth import LoginView

api_v1 = [
    path("auth/login/", LoginView.as_view(), name="login"),
    path("", include("channels.urls")),
    path("", include("customers.urls")),
    path("", include("orders.urls")),
    # The docs page fetches the schema with the browser's session (log in at
    # /admin/ first) or the token given to its Authorize button.
    path(
        "schema/",
        SpectacularAPIView.as_view(
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
