"""`email__startswith` as a byte-order range (PostgreSQL): exactly the emails with the prefix."""

import pytest

from customers.models import Customer
from omnitron.prefix_range import prefix_upper_bound
from tests.factories import CustomerFactory

LIST_URL = "/api/v1/customers/"

EMAILS = [
    "ab@example.com",
    "abc@example.com",
    "abd@example.com",
    "ab%@example.com",
    "ab_x@example.com",
    "ab\\c@example.com",
    "ABC@example.com",
    "çağrı@example.com",
    "çağrıb@example.com",
    "ça\U0010ffff@example.com",
    "çb@example.com",
    "d\ud7ffz@example.com",
    "d\ue000@example.com",
    "\U0010ffff\U0010ffff@example.com",
]
PREFIXES = [
    "a",
    "ab",
    "abc",
    "ab%",
    "ab_",
    "ab\\",
    "AB",
    "ç",
    "çağrı",
    "ça\U0010ffff",
    "ça",
    "d",
    "d\ud7ff",
    "\U0010ffff",
    "\U0010ffff\U0010ffff",
    "zz",
]


@pytest.mark.parametrize(
    ("prefix", "bound"),
    [
        ("abc", "abd"),
        ("a\U0010ffff", "b"),
        ("\U0010ffff", None),
        ("", None),
        ("a\ud7ff", "a\ue000"),
        ("ça", "çb"),
    ],
)
def test_the_bound_is_the_least_string_past_the_prefix(prefix, bound):
    assert prefix_upper_bound(prefix) == bound


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_filter_finds_the_emails_with_the_prefix(api, channel, prefix):
    for email in EMAILS:  # stored as they are: the address check is not under test
        customer = CustomerFactory(channel=channel)
        Customer.objects.filter(pk=customer.pk).update(email=email)
    expected = {email for email in EMAILS if email.startswith(prefix)}  # case-sensitive

    response = api.get(LIST_URL, {"email__startswith": prefix, "limit": 100})

    assert response.status_code == 200, response.content
    assert {row["email"] for row in response.json()["results"]} == expected
    assert response.json()["count"] == len(expected)
