from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions for every verb, reads included.

    DRF's class lets any authenticated user read; here a GET needs the
    model's `view_` permission, as the admin does. A method the view does
    not answer is a 405 for every authenticated user: DRF checks
    permissions before it looks for the method's handler, so a read-only
    route would otherwise refuse a POST with a 403 for a missing `add_`
    permission that could not make the POST work.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if request.user and request.user.is_authenticated and not answers(view, request.method):
            raise MethodNotAllowed(request.method)
        return super().has_permission(request, view)


def answers(view, method: str) -> bool:
    """Whether the view has a handler for the HTTP method (as DRF's dispatch looks it up)."""
    name = method.lower()
    return name in view.http_method_names and hasattr(view, name)
