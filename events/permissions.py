from rest_framework.permissions import SAFE_METHODS

from omnitron.permissions import ModelPermissions


class EventPermissions(ModelPermissions):
    """The feed is read-only: reading needs `events.view_event`; a write method is a 405."""

    perms_map = {method: ModelPermissions.perms_map[method] for method in SAFE_METHODS}


class WebhookPermissions(ModelPermissions):
    """Model permissions; retrying a delivery changes the subscription: `change_`, as a PATCH."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "retry_delivery":
            if not request.user or not request.user.is_authenticated:
                return False
            return request.user.has_perms(
                self.get_required_permissions("PATCH", view.get_queryset().model)
            )
        return super().has_permission(request, view)
