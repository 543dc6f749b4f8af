"""The address admin page, and each customer's addresses on its page.

Every write goes through AddressService, audited as the staff user. The form
checks what the service would refuse (locations out of their chain, an
address the customer already has) and shows it beside the field; the
service and the unique constraint still decide. The customer's page lists
its addresses, each a link to its own page.
"""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from addresses.exceptions import DUPLICATED_ADDRESS_MESSAGE
from addresses.field_sets import LOCATION_FIELDS, WRITABLE_FIELDS, digest_of
from addresses.models import Address
from addresses.services import AddressService, check_locations
from audit.context import audit_context_for_request
from customers.admin import CustomerAdmin
from customers.models import Customer
from omnitron.counting import BoundedCountPaginator


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = list(WRITABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        address = Address(pk=self.instance.pk, customer_id=self.instance.customer_id)
        for field in WRITABLE_FIELDS:
            value = cleaned[field] if field in cleaned else getattr(self.instance, field)
            setattr(address, field, value)
        changed = LOCATION_FIELDS if self.instance.pk is None else self.changed_data
        try:
            check_locations(address, changed)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
            return cleaned
        digest = digest_of(address)
        taken = Address.objects.filter(customer_id=address.customer_id, hash_data=digest)
        if taken.exclude(pk=self.instance.pk).exists():
            self.add_error(None, DUPLICATED_ADDRESS_MESSAGE.format(digest=digest))
        return cleaned


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    """Staff edits go through AddressService, so they are audited with the staff user."""

    form = AddressForm
    list_display = [
        "id",
        "first_name",
        "last_name",
        "customer",
        "city",
        "line",
        "address_type",
        "is_active",
        "modified_date",
    ]
    list_select_related = ["customer", "city"]
    list_filter = ["address_type", "is_active"]
    # Lookups an index serves on a large table.
    search_fields = ["=hash_data", "=email", "=phone_number", "=postcode", "=remote_id"]
    search_help_text = "A digest (hash_data), email, phone, postcode or remote id, whole."
    raw_id_fields = ["customer"]
    autocomplete_fields = ["country", "city", "township", "district"]
    readonly_fields = ["hash_data", "created_date", "modified_date"]
    ordering = ["-id"]
    paginator = BoundedCountPaginator
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        # An address stays with its customer, as in the API.
        if obj is not None:
            return [*self.readonly_fields, "customer"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        context = audit_context_for_request(request)
        if change:
            changed = {
                field: form.cleaned_data[field]
                for field in form.changed_data
                if field in WRITABLE_FIELDS
            }
            saved = AddressService.update_address(address=obj, audit_context=context, **changed)
        else:
            fields = {
                field: form.cleaned_data[field]
                for field in WRITABLE_FIELDS
                if field in form.cleaned_data
            }
            saved = AddressService.create_address(audit_context=context, **fields)
        for field in Address._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def delete_model(self, request, obj):
        AddressService.delete_address(address=obj, audit_context=audit_context_for_request(request))

    def delete_queryset(self, request, queryset):
        context = audit_context_for_request(request)
        for address in queryset:
            AddressService.delete_address(address=address, audit_context=context)


# How many addresses a customer's page shows; the rest are a link away.
CUSTOMER_ADDRESS_ROWS = 50


class CustomerWithAddressesAdmin(CustomerAdmin):
    """The customer's page, with its addresses (customers know nothing of addresses).

    Shown read-only, each a link to its own page, where it is changed through
    AddressService. A table rather than an inline formset: the customer's form
    then posts exactly what it did without addresses.
    """

    readonly_fields = [*CustomerAdmin.readonly_fields, "address_list"]

    @admin.display(description="Addresses")
    def address_list(self, customer: Customer) -> str:
        if customer.pk is None:
            return "-"
        addresses = customer.addresses.select_related("city").order_by("-id")
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">#{}</a></td><td>{} {}</td><td>{}</td><td>{}</td>'
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    reverse("admin:addresses_address_change", args=[address.pk]),
                    address.pk,
                    address.first_name,
                    address.last_name,
                    address.phone_number,
                    address.city,
                    address.line,
                    "active" if address.is_active else "inactive",
                )
                for address in addresses[:CUSTOMER_ADDRESS_ROWS]
            ),
        )
        everything = (
            reverse("admin:addresses_address_changelist") + f"?customer__id__exact={customer.pk}"
        )
        return format_html(
            '<table class="customer-addresses"><thead><tr><th>Address</th><th>Name</th>'
            "<th>Phone</th><th>City</th><th>Line</th><th>State</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}">Every address of this customer</a></p>',
            rows,
            everything,
        )


admin.site.unregister(Customer)
admin.site.register(Customer, CustomerWithAddressesAdmin)
