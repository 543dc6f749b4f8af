from rest_framework.permissions import SAFE_METHODS

from audit.models import AuditEvent
from omnitron.permissions import ModelPermissions


class AuditEventPermissions(ModelPermissions):
    """Reading audit events needs `audit.view_auditevent`, on any view that serves them.

    The model is named here, not taken from the view's queryset, so the
    customer view's audit action asks for it as well as for `view_customer`.
    The trail is read-only: a write method is a 405 for every authenticated
    user (not a 403 for those lacking an `add_auditevent` nobody is given).
    """

    perms_map = {method: ModelPermissions.perms_map[method] for method in SAFE_METHODS}

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.user.has_perms(self.get_required_permissions(request.method, AuditEvent))
