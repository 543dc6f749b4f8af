from django.contrib import admin, messages
from django.db.models import Max

from events.models import Event, WebhookDelivery, WebhookSubscription
from events.subscriptions import new_secret, validate_target_url
from omnitron.counting import BoundedCountPaginator


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The feed, read-only: events are written with the changes they describe."""

    list_display = ["id", "type", "resource_id", "sequence", "channel_id", "occurred_at"]
    list_filter = ["type"]
    search_fields = ["=resource_id"]
    paginator = BoundedCountPaginator
    show_full_result_count = False


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["id", "state", "attempts", "last_status", "last_error", "next_attempt_at"]
    readonly_fields = fields
    ordering = ["-id"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "url", "batch_size", "is_active", "disabled_reason", "last_event_id"]
    list_filter = ["is_active"]
    fields = ["url", "event_types", "channels", "batch_size", "is_active", "disabled_reason"]
    readonly_fields = ["disabled_reason"]
    inlines = [DeliveryInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["url"].validators.append(validate_target_url)
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = new_secret()
            obj.created_by = request.user
            obj.last_event_id = Event.objects.aggregate(newest=Max("id"))["newest"] or 0
        elif obj.is_active:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                f"The signing secret of this subscription, shown this once: {obj.secret}",
            )
