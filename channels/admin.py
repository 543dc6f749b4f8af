from django.contrib import admin

from audit.context import audit_context_for_request
from channels.models import Channel
from channels.services import ChannelService


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Staff edits go through ChannelService, so they are audited with the staff user."""

    list_display = ["id", "name", "channel_type", "catalog", "is_active", "modified_date"]
    list_filter = ["channel_type", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["created_date", "modified_date"]

    def save_model(self, request, obj, form, change):
        context = audit_context_for_request(request)
        if change:
            changed = {field: form.cleaned_data[field] for field in form.changed_data}
            ChannelService.update_channel(channel=obj, audit_context=context, **changed)
            return
        created = ChannelService.create_channel(audit_context=context, **form.cleaned_data)
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        ChannelService.delete_channel(channel=obj, audit_context=audit_context_for_request(request))

    def delete_queryset(self, request, queryset):
        context = audit_context_for_request(request)
        for channel in queryset:
            ChannelService.delete_channel(channel=channel, audit_context=context)
