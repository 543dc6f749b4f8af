"""factory-boy factories. Customers are created through CustomerService, like every write."""

import factory

from addresses.models import Address
from addresses.services import AddressService
from audit.context import AuditContext
from audit.models import Source
from channels.models import Channel, ChannelType
from customers.models import Customer
from customers.services import CustomerService

FIXTURE_CONTEXT = AuditContext(source=Source.SHELL, request_id="test-fixtures")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    name = factory.Sequence(lambda n: f"Channel {n}")
    catalog = 1
    channel_type = ChannelType.WEB
    conf = factory.LazyFunction(dict)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    channel = factory.SubFactory(ChannelFactory)
    channel_code = factory.Sequence(lambda n: f"C-{n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Ayşe"
    last_name = "Yılmaz"

    @classmethod
    def _create(cls, model_class, channel, channel_code, **kwargs):
        return CustomerService.create_customer(
            channel=channel, channel_code=channel_code, audit_context=FIXTURE_CONTEXT, **kwargs
        )


def create_customers(channel: Channel, count: int, prefix: str = "B") -> list[Customer]:
    """`count` customers of `channel` in one bulk service call (for tests that need many)."""
    records = [
        {
            "channel_code": f"{prefix}-{number}",
            "email": f"{prefix.lower()}{number}@example.com",
            "first_name": f"Name {number}",
            "last_name": "Çelik",
            "phone_number": f"0555{number:07d}" if number % 3 else None,
            "erp_code": f"ERP-{number}" if number % 2 else None,
        }
        for number in range(count)
    ]
    results = CustomerService.upsert_customers(channel, records, audit_context=FIXTURE_CONTEXT)
    return [result.customer for result in results]


def create_address(customer: Customer, country, city, **fields) -> Address:
    """An address of `customer` through AddressService, with names, phone and line filled in."""
    values = {
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "line": "Moda Cad. 1",
        **fields,
    }
    return AddressService.create_address(
        customer=customer, country=country, city=city, audit_context=FIXTURE_CONTEXT, **values
    )
