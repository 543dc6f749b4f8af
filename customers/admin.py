from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.context import audit_context_for_request
from audit.selectors import audit_events_of
from customers.models import Customer, IntegrationMapping
from customers.services import CustomerService
from omnitron.counting import BoundedCountPaginator

# How many audit records a customer's page shows; the rest are a link away.
AUDIT_HISTORY_ROWS = 20


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
    # Lookups an index serves at a million rows (icontains would scan the table):
    # an email by its beginning, the others whole.
    search_fields = [
        "email__startswith",
        "first_name__exact",
        "last_name__exact",
        "phone_number__exact",
        "channel_code__exact",
        "erp_code__exact",
    ]
    search_help_text = "An email or its beginning; a first or last name, phone, code or ERP code."
    readonly_fields = ["created_date", "modified_date", "audit_history"]
    ordering = ["-id"]
    actions = ["anonymize"]
    paginator = BoundedCountPaginator
    show_full_result_count = False  # no COUNT(*) of the whole table on every page

    @admin.display(description="Audit history")
    def audit_history(self, customer: Customer) -> str:
        """The newest changes of this customer: who, through what, when, and what changed."""
        if customer.pk is None:
            return "-"
        events = audit_events_of(Customer, customer.pk)[:AUDIT_HISTORY_ROWS]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    event.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
                    event.get_action_display(),
                    event.get_source_display(),
                    event.actor_repr or "-",
                    format_html_join("", "<div>{}: {} → {}</div>", _change_rows(event.changes)),
                )
                for event in events
            ),
        )
        everything = (
            reverse("admin:audit_auditevent_changelist")
            + f"?content_type__id__exact={ContentType.objects.get_for_model(Customer).pk}"
            + f"&object_id={customer.pk}"
        )
        return format_html(
            '<table class="audit-history"><thead><tr><th>When</th><th>Action</th>'
            "<th>Source</th><th>Who</th><th>Changes</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">Every audit record of this customer</a></p>',
            rows,
            everything,
        )

    def get_readonly_fields(self, request, obj=None):
        # A customer's channel is fixed once created, as in the API (customer_100_3).
        if obj is not None:
            return [*self.readonly_fields, "channel"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        context = audit_context_for_request(request)
        if change:
            changed = {field: form.cleaned_data[field] for field in form.changed_data}
            CustomerService.update_customer(customer=obj, audit_context=context, **changed)
            return
        fields = dict(form.cleaned_data)
        created = CustomerService.create_customer(
            channel=fields.pop("channel"),
            channel_code=fields.pop("channel_code"),
            audit_context=context,
            **fields,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        CustomerService.delete_customer(
            customer=obj, audit_context=audit_context_for_request(request)
        )

    def has_anonymize_permission(self, request) -> bool:
        return request.user.has_perm("customers.anonymize_customer")

    @admin.action(permissions=["anonymize"], description="Anonymize selected customers")
    def anonymize(self, request, queryset):
        """Each through CustomerService.anonymize_customer, as the API's anonymize does."""
        context = audit_context_for_request(request)
        for customer in queryset.order_by("pk"):
            CustomerService.anonymize_customer(customer=customer, audit_context=context)
        self.message_user(request, f"{queryset.count()} customer(s) anonymized.")

    def delete_queryset(self, request, queryset):
        context = audit_context_for_request(request)
        for customer in queryset:
            CustomerService.delete_customer(customer=customer, audit_context=context)


@admin.register(IntegrationMapping)
class IntegrationMappingAdmin(admin.ModelAdmin):
    list_display = ["customer", "integration_type", "code"]
    search_fields = ["=code"]
    raw_id_fields = ["customer"]


def _change_rows(changes: dict):
    for field, (old, new) in sorted(changes.items()):
        yield field, _shown(old), _shown(new)


def _shown(value) -> str:
    return "—" if value is None else str(value)
