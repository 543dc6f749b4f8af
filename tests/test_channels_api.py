"""Sales channels CRUD."""

import pytest

from channels.models import Channel
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/channels/"


def test_create_read_update_delete_a_channel(api):
    body = {"name": "Trendyol", "catalog": 3, "channel_type": "trendyol", "conf": {"A": "b"}}
    created = api.post(URL, body, format="json")
    assert created.status_code == 201
    data = created.json()
    assert {k: data[k] for k in body} == body
    assert (data["is_active"], data["schema"], data["category_tree"]) == (True, None, None)

    url = f"{URL}{data['id']}/"
    assert api.get(url).json()["name"] == "Trendyol"
    assert api.patch(url, {"is_active": False}, format="json").json()["is_active"] is False
    assert api.delete(url).status_code == 204
    assert not Channel.objects.filter(pk=data["id"]).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel_type", "ebay"), ("conf", ["a"]), ("catalog", "x"), ("catalog", 2**40), ("name", "")],
)
def test_bad_channel_values_are_a_400_naming_the_field(api, field, value):
    body = {"name": "Shop", "catalog": 1, "channel_type": "web", field: value}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_channel_with_customers_cannot_be_deleted(api, channel):
    CustomerFactory(channel=channel)
    response = api.delete(f"{URL}{channel.pk}/")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Channel.objects.filter(pk=channel.pk).exists()


# Filters (ChannelFilterSet): one line per lookup, the names of the channels listed.
FILTER_CASES = [
    ({}, ["A", "B", "C"]),
    ({"channel_type": "n11"}, ["B"]),
    ({"channel_type": "web"}, ["A", "C"]),
    ({"channel_type": "trendyol"}, []),
    ({"is_active": "true"}, ["A", "C"]),
    ({"is_active": "False"}, ["B"]),
    ({"channel_type": "web", "is_active": "0"}, []),
]
INVALID_FILTER_CASES = [
    ("is_active", "sometimes"),
    ("channel_type", "ebay"),
]


@pytest.fixture
def channels(db):
    Channel.objects.create(name="A", catalog=1, channel_type="web", is_active=True)
    Channel.objects.create(name="B", catalog=1, channel_type="n11", is_active=False)
    Channel.objects.create(name="C", catalog=2, channel_type="web", is_active=True)


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES, ids=str)
def test_filter(api, channels, params, expected):
    response = api.get(URL, params)

    assert response.status_code == 200, response.content
    assert [channel["name"] for channel in response.json()["results"]] == expected


@pytest.mark.parametrize(("param", "value"), INVALID_FILTER_CASES)
def test_invalid_filter_value_is_a_400_naming_it(api, channels, param, value):
    response = api.get(URL, {param: value})

    assert response.status_code == 400
    assert list(response.json()) == [param]
