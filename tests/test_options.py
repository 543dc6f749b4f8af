"""OPTIONS of the list routes: DRF's answer, with `filters` as the Omnitron documents them."""

import pytest

pytestmark = pytest.mark.django_db

DATE_LOOKUPS = ["exact", "gt", "gte", "lt", "lte", "date"] + [
    f"date__{lookup}" for lookup in ("gt", "gte", "lt", "lte")
]
COMPARISONS = ["exact", "gt", "gte", "lt", "lte"]


def exact(type_name: str) -> dict:
    return {"type": type_name, "lookup_types": ["exact"]}


# The documented block (spec: GET Customers, "Filters"), with the lookups this
# service adds: `__date__gt` and the like, `pk__in`, `mapping__integration_type`, `sort`.
CUSTOMER_FILTERS = {
    "created_date": {"type": "DateFilter", "lookup_types": DATE_LOOKUPS},
    "modified_date": {"type": "DateFilter", "lookup_types": DATE_LOOKUPS},
    "attributes": exact("JsonMethodFilter"),
    "channel": exact("ModelMultipleChoiceFilter"),
    "email": {"type": "CharFilter", "lookup_types": ["exact", "startswith"]},
    "first_name": exact("CharFilterWithNull"),
    "last_name": exact("CharFilterWithNull"),
    "phone_number": exact("CharFilterWithNull"),
    "is_active": exact("BooleanFilter"),
    "channel_code": exact("CharFilterWithNull"),
    "erp_code": exact("CharFilterWithNull"),
    "extra_field": exact("JsonMethodFilter"),
    "email_allowed": exact("BooleanFilter"),
    "sms_allowed": exact("BooleanFilter"),
    "call_allowed": exact("BooleanFilter"),
    "date_joined": exact("IsoDateTimeFilter"),
    "gender": exact("ChoiceFilter"),
    "user_type": exact("ChoiceFilter"),
    "date_of_birth": exact("DateFilter"),
    "id": {"type": "NumberFilter", "lookup_types": COMPARISONS},
    "pk": {"type": "NumberFilter", "lookup_types": [*COMPARISONS, "in"]},
    "mapping": {"type": "RelatedFilter", "lookup_types": ["exact", "integration_type"]},
    "sort": exact("OrderingFilter"),
}


@pytest.mark.parametrize(
    ("url", "keys"),
    [
        ("/api/v1/customers/", ["name", "description", "renders", "parses", "actions", "filters"]),
        (
            "/api/v1/channel/{}/customers/",
            ["name", "description", "renders", "parses", "actions", "filters"],
        ),
        # Read-only: DRF describes no write action.
        ("/api/v1/customers/detailed/", ["name", "description", "renders", "parses", "filters"]),
    ],
)
def test_a_customer_list_describes_its_filters(api, channel, url, keys):
    response = api.options(url.format(channel.pk))

    assert response.status_code == 200
    body = response.json()
    assert list(body) == keys
    assert body["filters"] == CUSTOMER_FILTERS


def test_the_customer_list_keeps_drf_s_description_of_a_create(api):
    body = api.options("/api/v1/customers/").json()

    post = body["actions"]["POST"]
    assert post["email"]["required"] is True
    assert post["channel"] == {
        "type": "field",
        "required": True,
        "read_only": False,
        "label": "Channel",
    }


def test_a_single_customer_describes_no_filters(api, channel):
    customer = api.post(
        "/api/v1/customers/",
        {"email": "a@example.com", "channel": channel.pk, "channel_code": "C-1"},
        format="json",
    ).json()

    body = api.options(f"/api/v1/customers/{customer['pk']}/").json()

    assert "filters" not in body
    assert "PUT" in body["actions"]


@pytest.mark.parametrize(
    ("url", "filters"),
    [
        (
            "/api/v1/channels/",
            {"channel_type": exact("ChoiceFilter"), "is_active": exact("BooleanFilter")},
        ),
        (
            "/api/v1/orders/",
            {
                "customer": exact("NumberFilter"),
                "channel": exact("NumberFilter"),
                "number": exact("CharFilter"),
                "status": exact("CharFilter"),
                "remote_id": exact("CharFilter"),
                **{
                    field: {"type": "IsoDateTimeFilter", "lookup_types": COMPARISONS}
                    for field in ("ordered_at", "created_date", "modified_date")
                },
            },
        ),
    ],
)
def test_other_lists_describe_their_filters_the_same_way(api, url, filters):
    response = api.options(url)

    assert response.status_code == 200
    assert response.json()["filters"] == filters
