"""The customer API, replaying the examples of spec/omnitron-customers.md."""

import pytest

from customers.models import Customer
from omnitron.pagination import PageLimitPagination
from orders.models import Order
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"
VOLATILE = {"pk", "created_date", "modified_date"}

SPEC_POST_BODY = {
    "email": "test@test.com",
    "channel_code": "1231",
    "gender": "male",
    "user_type": "registered",
    "is_active": False,
    "erp_code": "er_code",
    "email_allowed": True,
    "sms_allowed": True,
    "call_allowed": True,
    "phone_number": "05555555555",
    "attributes": {},
    "extra_field": {},
    "date_of_birth": "2001-01-01",
}


def spec_created_customer(channel_id: int) -> dict:
    """The documented POST response, values that vary aside."""
    return {
        "channel": channel_id,
        "email": "test@test.com",
        "first_name": "",
        "last_name": "",
        "phone_number": "05555555555",
        "is_active": False,
        "channel_code": "1231",
        "erp_code": "er_code",
        "extra_field": {},
        "date_joined": None,
        "email_allowed": True,
        "sms_allowed": True,
        "call_allowed": True,
        "gender": "male",
        "attributes": {},
        "user_type": "registered",
        "date_of_birth": "2001-01-01",
        "attributes_kwargs": {},
        "localized_attributes": {},
        "localized_attributes_kwargs": {},
    }


def without_volatile(body: dict) -> dict:
    return {key: value for key, value in body.items() if key not in VOLATILE}


def detail_url(pk: int) -> str:
    return f"{LIST_URL}{pk}/"


def create_spec_customer(api, channel) -> dict:
    response = api.post(LIST_URL, {**SPEC_POST_BODY, "channel": channel.pk}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_post_creates_the_documented_customer(api, channel):
    body = create_spec_customer(api, channel)

    assert without_volatile(body) == spec_created_customer(channel.pk)
    assert body["created_date"].endswith("Z") and body["modified_date"].endswith("Z")
    stored = Customer.objects.get(pk=body["pk"])
    assert (stored.channel_id, stored.channel_code, stored.erp_code) == (
        channel.pk,
        "1231",
        "er_code",
    )


def test_fields_come_in_the_documented_order(api, channel):
    body = create_spec_customer(api, channel)
    assert list(body) == [
        "pk",
        "channel",
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "is_active",
        "channel_code",
        "erp_code",
        "extra_field",
        "modified_date",
        "created_date",
        "date_joined",
        "email_allowed",
        "sms_allowed",
        "call_allowed",
        "gender",
        "attributes",
        "user_type",
        "date_of_birth",
        "attributes_kwargs",
        "localized_attributes",
        "localized_attributes_kwargs",
    ]


def test_post_defaults_booleans_to_false_and_json_to_empty_objects(api, channel):
    response = api.post(
        LIST_URL,
        {"email": "a@example.com", "channel": channel.pk, "channel_code": "A"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert [body[f] for f in ("is_active", "email_allowed", "sms_allowed", "call_allowed")] == [
        False
    ] * 4
    assert [body[f] for f in ("attributes", "extra_field", "attributes_kwargs")] == [{}] * 3


def test_post_duplicate_channel_code_is_the_documented_400(api, channel):
    create_spec_customer(api, channel)
    response = api.post(LIST_URL, {**SPEC_POST_BODY, "channel": channel.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The fields channel, channel_code must make a unique set."]
    }
    assert Customer.objects.filter(channel=channel, channel_code="1231").count() == 1


def test_same_channel_code_in_another_channel_is_allowed(api, channel, other_channel):
    create_spec_customer(api, channel)
    response = api.post(LIST_URL, {**SPEC_POST_BODY, "channel": other_channel.pk}, format="json")
    assert response.status_code == 201


def test_post_missing_required_fields_names_each(api):
    response = api.post(LIST_URL, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "email": ["This field is required."],
        "channel": ["This field is required."],
        "channel_code": ["This field is required."],
    }


def test_post_bad_email_is_the_documented_400(api, channel):
    body = {**SPEC_POST_BODY, "channel": channel.pk, "email": "not-an-email"}
    response = api.post(LIST_URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"email": ["Enter a valid email address."]}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("attributes", []),
        ("attributes", "text"),
        ("extra_field", 3),
        ("attributes_kwargs", None),
        ("localized_attributes", ["a"]),
        ("attributes", {"key": "nul\u0000byte"}),
        ("first_name", "x" * 256),
        ("phone_number", "1" * 129),
        ("channel_code", "c" * 65),
        ("email", "a" * 250 + "@example.com"),
        ("gender", "other"),
        ("user_type", "admin"),
        ("date_of_birth", "2001-13-45"),
        ("date_joined", "yesterday"),
        ("is_active", "perhaps"),
        ("channel", 10**30),
        ("channel", "abc"),
        ("first_name", "nul\u0000byte"),
    ],
)
def test_bad_field_values_are_a_400_naming_the_field(api, channel, field, value):
    body = {**SPEC_POST_BODY, "channel": channel.pk, field: value}
    response = api.post(LIST_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "attributes",
    [rb'{"key": "\ud800"}', rb'{"\udc00": 1}', rb'{"big": 1e999}', rb'{"list": [-1e400]}'],
    ids=["lone-surrogate-value", "lone-surrogate-key", "infinity", "minus-infinity"],
)
def test_json_values_jsonb_cannot_store_are_a_400(api, channel, attributes):
    """Python reads these JSON texts; PostgreSQL's jsonb refuses them (once a 500)."""
    body = b'{"channel": %d, "email": "a@example.com", "channel_code": "C1", "attributes": %s}'
    response = api.generic(
        "POST", LIST_URL, body % (channel.pk, attributes), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["attributes"]
    assert not Customer.objects.exists()


def test_malformed_json_is_a_400(api):
    response = api.generic("POST", LIST_URL, b'{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_get_detail_returns_the_customer(api, channel):
    created = create_spec_customer(api, channel)
    response = api.get(detail_url(created["pk"]))
    assert response.status_code == 200
    assert response.json() == created


def test_unknown_pk_is_the_documented_404(api):
    assert api.get(detail_url(424242)).json() == {"detail": "Not found."}
    assert api.get(detail_url(424242)).status_code == 404
    assert api.get(detail_url(10**25)).status_code == 404


def test_patch_example_updates_only_the_given_fields(api, channel):
    created = create_spec_customer(api, channel)
    patch = {"is_active": True, "email_allowed": False, "sms_allowed": False}
    response = api.patch(detail_url(created["pk"]), {**patch, "user_type": "registered"}, "json")

    assert response.status_code == 200
    assert without_volatile(response.json()) == {
        **without_volatile(created),
        **patch,
        "user_type": "registered",
    }
    assert response.json()["modified_date"] > created["modified_date"]


def test_put_example_replaces_the_customer(api, channel):
    created = create_spec_customer(api, channel)
    body = {
        "email": "test2@test.com",
        "channel": channel.pk,
        "channel_code": "1231",
        "is_active": True,
        "email_allowed": False,
        "sms_allowed": False,
        "user_type": "registered",
        "extra_field": {},
    }
    response = api.put(detail_url(created["pk"]), body, format="json")
    assert response.status_code == 200
    assert without_volatile(response.json()) == {**without_volatile(created), **body}


def test_put_requires_the_fields_post_requires(api, channel):
    created = create_spec_customer(api, channel)
    response = api.put(detail_url(created["pk"]), {"is_active": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "email": ["This field is required."],
        "channel": ["This field is required."],
        "channel_code": ["This field is required."],
    }


@pytest.mark.parametrize("method", ["put", "patch"])
def test_changing_the_channel_is_the_documented_406(api, channel, other_channel, method):
    created = create_spec_customer(api, channel)
    body = {**SPEC_POST_BODY, "channel": other_channel.pk}
    response = getattr(api, method)(detail_url(created["pk"]), body, format="json")

    assert response.status_code == 406
    assert response.json() == {
        "non_field_errors": "channel:channel_name These field cannot be updated",
        "error_code": "customer_100_3",
    }
    assert Customer.objects.get(pk=created["pk"]).channel_id == channel.pk


def test_patch_to_a_taken_channel_code_is_the_unique_set_400(api, channel):
    CustomerFactory(channel=channel, channel_code="TAKEN")
    created = create_spec_customer(api, channel)
    response = api.patch(detail_url(created["pk"]), {"channel_code": "TAKEN"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The fields channel, channel_code must make a unique set."]
    }
    assert Customer.objects.get(pk=created["pk"]).channel_code == "1231"


def test_delete_answers_204_and_removes_the_row(api, channel):
    created = create_spec_customer(api, channel)
    response = api.delete(detail_url(created["pk"]))
    assert response.status_code == 204
    assert not Customer.objects.filter(pk=created["pk"]).exists()
    assert api.get(detail_url(created["pk"])).status_code == 404


def test_delete_of_a_customer_with_orders_answers_400_and_keeps_it(api, channel):
    created = create_spec_customer(api, channel)
    Order.objects.create(channel=channel, number="MP-1", customer_id=created["pk"], amount="1.00")

    response = api.delete(detail_url(created["pk"]))

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A customer with orders cannot be deleted."]}
    assert Customer.objects.filter(pk=created["pk"]).exists()


def test_list_is_paginated_newest_first_with_absolute_links(api, channel):
    customers = [CustomerFactory(channel=channel) for _ in range(3)]
    response = api.get(LIST_URL, {"limit": 2})
    body = response.json()

    assert response.status_code == 200
    assert body["count"] == 3
    assert [row["pk"] for row in body["results"]] == [customers[2].pk, customers[1].pk]
    assert body["next"] == "http://testserver/api/v1/customers/?limit=2&page=2"
    assert body["previous"] is None
    second = api.get(body["next"]).json()
    assert [row["pk"] for row in second["results"]] == [customers[0].pk]


def test_default_page_size_is_ten(api, channel):
    for _ in range(12):
        CustomerFactory(channel=channel)
    body = api.get(LIST_URL).json()
    assert len(body["results"]) == 10
    assert body["next"] == "http://testserver/api/v1/customers/?page=2"


def test_page_past_the_end_is_a_404(api, channel):
    CustomerFactory(channel=channel)
    response = api.get(LIST_URL, {"page": 5})
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("limit", ["0", "-3", "abc", "1.5"])
def test_bad_limit_is_a_400_naming_it(api, limit):
    response = api.get(LIST_URL, {"limit": limit})
    assert response.status_code == 400
    assert list(response.json()) == ["limit"]


def test_limit_above_the_maximum_is_served_at_the_maximum(api, channel, monkeypatch):
    monkeypatch.setattr(PageLimitPagination, "max_page_size", 2)
    for _ in range(3):
        CustomerFactory(channel=channel)
    response = api.get(LIST_URL, {"limit": 50})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    assert "limit=50&page=2" in response.json()["next"]
