"""The API's JSON renderer writes the bytes DRF's own JSONRenderer writes."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from omnitron.json_renderer import FastJSONRenderer
from tests.factories import CustomerFactory

PAYLOADS = {
    "page": {
        "count": 2,
        "next": "http://testserver/api/v1/customers/?page=2",
        "previous": None,
        "results": [
            {"id": 1, "first_name": "Çağla", "is_active": True, "attributes": {"a": [1, 2.5]}},
            {"id": 2, "first_name": "", "is_active": False, "attributes": {}},
        ],
    },
    "error": {"email": [ErrorDetail("Enter a valid email address.", code="invalid")]},
    "line separators": {"note": "one\u2028two\u2029three", "emoji": "🛒", "quote": 'a"b\\c'},
    "python values": {
        "amount": Decimal("12.50"),
        "lazy": gettext_lazy("Not found."),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "tuple": (1, "two"),
        "generator": (n for n in range(3)),
        "duration": timedelta(hours=1, seconds=2),
    },
    "dates": {
        "at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "naive": datetime(2026, 1, 2, 3, 4, 5),
        "day": date(2026, 1, 2),
        "time": time(3, 4, 5, 123456),
    },
    "integers orjson refuses": {"big": 2**70, "small": -(2**70)},
    "keys that are not strings": {1: "one", None: "none"},
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_the_bytes_are_drfs(name):
    # Generators are used up by a render: build the payload afresh for each renderer.
    def payload():
        data = dict(PAYLOADS[name])
        if "generator" in data:
            data["generator"] = (n for n in range(3))
        return data

    assert FastJSONRenderer().render(payload()) == JSONRenderer().render(payload())


def test_nothing_renders_as_no_bytes():
    assert FastJSONRenderer().render(None) == b""


def test_an_indent_asked_for_is_drfs_indented_output():
    data = PAYLOADS["page"]
    media_type = "application/json; indent=2"

    rendered = FastJSONRenderer().render(data, media_type, {})

    assert rendered == JSONRenderer().render(data, media_type, {})
    assert rendered.startswith(b'{\n  "count": 2')


@pytest.mark.django_db
def test_the_api_answers_through_it(api, channel):
    CustomerFactory(channel=channel, first_name="Ayşe")

    response = api.get("/api/v1/customers/")

    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, FastJSONRenderer)
    assert response.content == JSONRenderer().render(response.data)
    assert "Ayşe".encode() in response.content
