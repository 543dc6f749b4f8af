"""JSON columns read back exactly what was stored, whichever reader reads them."""

import pytest

from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

VALUES = {
    "nested": {"a": [None, True, False, 0, -1, 2.5, 1e-7], "b": {"c": {}}},
    "text": {"name": 'Çağla Öztürk \u2028 🛒 "quoted" \\ slash', "digits": "1" * 30},
    "int64 edges": {"max": 2**63 - 1, "min": -(2**63), "past": 2**64 + 1},
    "beyond 64 bits": {"big": 2**70, "negative": -(2**70)},
}


@pytest.mark.parametrize("name", VALUES)
def test_a_stored_object_reads_back_the_same(channel, name):
    customer = CustomerFactory(channel=channel, attributes=VALUES[name])

    read = Customer.objects.get(pk=customer.pk).attributes

    assert read == VALUES[name]
    assert [type(value) for value in read.values()] == [
        type(value) for value in VALUES[name].values()
    ]


def test_a_key_read_in_a_query_is_the_value(channel):
    CustomerFactory(channel=channel, attributes={"segment": "gold", "score": 2**70})

    assert list(Customer.objects.values_list("attributes__segment", "attributes__score")) == [
        ("gold", 2**70)
    ]
