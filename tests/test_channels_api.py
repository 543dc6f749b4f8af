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


def test_channels_filter_by_type_and_activity(api):
    Channel.objects.create(name="A", catalog=1, channel_type="web", is_active=True)
    Channel.objects.create(name="B", catalog=1, channel_type="n11", is_active=False)
    assert [c["name"] for c in api.get(URL, {"channel_type": "n11"}).json()["results"]] == ["B"]
    assert [c["name"] for c in api.get(URL, {"is_active": "true"}).json()["results"]] == ["A"]
    assert api.get(URL, {"is_active": "sometimes"}).status_code == 400
