from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import BasePermission

from omnitron.permissions import ModelPermissions, answers
from privacy.models import ConsentChange


class ConsentPermissions(ModelPermissions):
    """Reading the consent history needs `privacy.view_consentchange`, on any view serving it."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if not answers(view, request.method):
            raise MethodNotAllowed(request.method)
        return request.user.has_perms(self.get_required_permissions(request.method, ConsentChange))


def requires(permission: str) -> type[BasePermission]:
    """A permission class granting users who hold `permission` (`app_label.codename`)."""

    class Requires(BasePermission):
        def has_permission(self, request, view):
            if not request.user or not request.user.is_authenticated:
                return False
            if not answers(view, request.method):
                raise MethodNotAllowed(request.method)
            return request.user.has_perm(permission)

    Requires.__name__ = f"Requires_{permission.replace('.', '_')}"
    return Requires
