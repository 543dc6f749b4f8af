"""Everything held about one customer, read in a fixed number of queries."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from addresses.models import Address
from audit.selectors import audit_events
from customers.models import Customer
from orders.models import Order
from privacy.models import ConsentChange, FormerAddress


def customer_export(customer: Customer) -> dict:
    """The customer, its addresses, orders with items, consent history and audit records.

    Five queries whatever the history's length (four without orders): addresses, orders, their
    items, consents, and the audit records of
    the customer, its addresses (the deleted ones too) and its orders.
    """
    addresses = list(Address.objects.filter(customer=customer).order_by("id"))
    address_ids = [address.pk for address in addresses]
    orders = list(
        Order.objects.filter(customer=customer)
        .select_related("shipping_address", "billing_address")
        .prefetch_related("items")
        .order_by("id")
    )
    types = ContentType.objects.get_for_models(Customer, Address, Order)
    address_type = types[Address]
    records = audit_events().filter(
        Q(content_type=types[Customer], object_id=customer.pk)
        | Q(content_type=types[Order], object_id__in=[order.pk for order in orders])
        | Q(content_type=address_type, object_id__in=address_ids)
        | Q(
            content_type=address_type,
            object_id__in=FormerAddress.objects.filter(customer=customer).values("address_id"),
        )
    )
    return {
        "customer": customer,
        "addresses": addresses,
        "orders": orders,
        "consents": list(ConsentChange.objects.filter(customer=customer)),
        "audit_events": list(records),
    }
