from django.contrib import admin

from audit.models import AuditEvent
from omnitron.counting import BoundedCountPaginator


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is written by the services, never edited."""

    list_display = ["timestamp", "action", "content_type", "object_id", "actor_repr", "source"]
    list_filter = ["action", "source", "content_type"]
    search_fields = ["=object_id", "=request_id", "actor_repr"]
    paginator = BoundedCountPaginator
    show_full_result_count = False  # no COUNT(*) of the whole table on every page
    list_select_related = ["content_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
