from django.contrib import admin

from audit.context import audit_context_for_request
from customers.models import Customer, IntegrationMapping
from customers.services import CustomerService


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """Staff edits go through CustomerService, so they are audited with the staff user."""

    list_display = [
        "id",
        "email",
        "first_name",
        "last_name",
        "channel",
        "channel_code",
        "erp_code",
        "is_active",
        "email_allowed",
        "sms_allowed",
        "call_allowed",
        "created_date",
        "modified_date",
    ]
    list_select_related = ["channel"]
    list_filter = [
        "channel",
        "is_active",
        "user_type",
        "gender",
        "email_allowed",
        "sms_allowed",
        "call_allowed",
    ]
    search_fields = [
        "=email",
        "first_name",
        "last_name",
        "=phone_number",
        "=channel_code",
        "=erp_code",
    ]
    readonly_fields = ["created_date", "modified_date"]
    ordering = ["-id"]

    def get_readonly_fields(self, request, obj=None):
        # A customer's channel is fixed once created, as in the API (customer_100_3).
        if obj is not None:
            return [*self.readonly_fields, "channel"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        context = audit_context_for_request(request)
        if change:
            changed = {field: form.cleaned_data[field] for field in form.changed_data}
            CustomerService.update_customer(obj, audit_context=context, **changed)
            return
        fields = dict(form.cleaned_data)
        created = CustomerService.create_customer(
            fields.pop("channel"), fields.pop("channel_code"), audit_context=context, **fields
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        CustomerService.delete_customer(obj, audit_context=audit_context_for_request(request))

    def delete_queryset(self, request, queryset):
        context = audit_context_for_request(request)
        for customer in queryset:
            CustomerService.delete_customer(customer, audit_context=context)


@admin.register(IntegrationMapping)
class IntegrationMappingAdmin(admin.ModelAdmin):
    list_display = ["customer", "integration_type", "code"]
    search_fields = ["=code"]
    raw_id_fields = ["customer"]
