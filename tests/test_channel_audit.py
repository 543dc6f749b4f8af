"""Channel writes go through ChannelService and leave an audit record, from any source."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from audit.models import Action, AuditEvent, Source
from channels.models import Channel
from tests.conftest import grant
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/channels/"
CHANNEL_TYPE = ("channels", "channel")


def channel_events(channel_pk: int) -> list[AuditEvent]:
    app_label, model = CHANNEL_TYPE
    return list(
        AuditEvent.objects.filter(
            content_type__app_label=app_label, content_type__model=model, object_id=channel_pk
        ).order_by("id")
    )


def created_by_api(api) -> dict:
    body = {"name": "Trendyol", "catalog": 3, "channel_type": "trendyol", "conf": {}}
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_api_create_records_every_field_from_null(api, user):
    data = created_by_api(api)

    [event] = channel_events(data["id"])
    assert (event.action, event.source, event.actor) == (Action.CREATE, Source.API, user)
    assert event.object_repr == "Trendyol"
    assert event.changes == {
        "catalog": [None, 3],
        "category_tree": [None, None],
        "channel_type": [None, "trendyol"],
        "conf": [None, {}],
        "is_active": [None, True],
        "name": [None, "Trendyol"],
        "schema": [None, None],
    }


def test_api_update_records_what_changed_and_a_no_op_records_nothing(api, user):
    data = created_by_api(api)
    url = f"{URL}{data['id']}/"
    conf = {"CUSTOMER_IDENTIFIER_FIELD": "email"}

    response = api.patch(url, {"conf": conf, "name": "Trendyol"}, format="json")
    assert response.status_code == 200, response.content
    assert api.patch(url, {"conf": conf}, format="json").status_code == 200
    assert api.put(url, {**response.json(), "conf": conf}, format="json").status_code == 200

    _create, update = channel_events(data["id"])
    assert (update.action, update.source, update.actor) == (Action.UPDATE, Source.API, user)
    assert update.changes == {"conf": [{}, conf]}


def test_api_delete_records_every_last_value(api, user):
    data = created_by_api(api)

    assert api.delete(f"{URL}{data['id']}/").status_code == 204

    create, delete = channel_events(data["id"])
    assert (delete.action, delete.source, delete.actor) == (Action.DELETE, Source.API, user)
    assert delete.changes["name"] == ["Trendyol", None]
    assert delete.changes["channel_type"] == ["trendyol", None]
    assert set(delete.changes) == set(create.changes)


def test_a_refused_delete_records_nothing(api, channel):
    CustomerFactory(channel=channel)

    assert api.delete(f"{URL}{channel.pk}/").status_code == 400

    assert Channel.objects.filter(pk=channel.pk).exists()
    assert channel_events(channel.pk) == []


def test_a_refused_update_records_nothing(api, channel):
    conf = {"CUSTOMER_IDENTIFIER_FIELD": "tax_no"}

    response = api.patch(f"{URL}{channel.pk}/", {"conf": conf}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["conf"]
    assert channel_events(channel.pk) == []


def test_channel_events_are_readable_over_the_audit_api(api, user):
    grant(user, "audit.view_auditevent")
    data = created_by_api(api)
    api.patch(f"{URL}{data['id']}/", {"is_active": False}, format="json")

    response = api.get(
        "/api/v1/audit_events/", {"object_type": "channels.channel", "object_id": data["id"]}
    )

    assert response.status_code == 200
    events = response.json()["results"]
    assert [(e["action"], e["object_type"], e["object_id"]) for e in events] == [
        ("update", "channels.channel", data["id"]),
        ("create", "channels.channel", data["id"]),
    ]
    assert events[0]["changes"] == [{"field": "is_active", "old": True, "new": False}]
    assert events[0]["actor"] == {"id": user.pk, "username": user.username}


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("staff", "staff@example.com", "pw-123456")


@pytest.fixture
def admin_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def admin_form(**fields) -> dict:
    form = {"name": "Hepsiburada", "catalog": 2, "channel_type": "hepsiburada", "conf": "{}"}
    form.update(fields)
    form.update({"category_tree": "", "is_active": "on", "schema": "null"})
    return form


def test_admin_add_change_and_delete_are_audited_as_the_staff_user(admin_client, staff):
    response = admin_client.post("/admin/channels/channel/add/", admin_form())
    assert response.status_code == 302, response.content
    channel = Channel.objects.get(name="Hepsiburada")
    change_url = f"/admin/channels/channel/{channel.pk}/change/"

    response = admin_client.post(
        change_url, admin_form(conf='{"CUSTOMER_IDENTIFIER_FIELD": "email"}')
    )
    assert response.status_code == 302, response.content
    assert admin_client.post(change_url, admin_form(conf='{"CUSTOMER_IDENTIFIER_FIELD": "email"}'))
    response = admin_client.post(f"/admin/channels/channel/{channel.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    assert not Channel.objects.filter(pk=channel.pk).exists()
    events = channel_events(channel.pk)
    assert [(e.action, e.source, e.actor) for e in events] == [
        (Action.CREATE, Source.ADMIN, staff),
        (Action.UPDATE, Source.ADMIN, staff),
        (Action.DELETE, Source.ADMIN, staff),
    ]
    assert events[1].changes == {"conf": [{}, {"CUSTOMER_IDENTIFIER_FIELD": "email"}]}


def test_admin_bulk_delete_is_audited_per_channel(admin_client, staff):
    first = Channel.objects.create(name="A", catalog=1, channel_type="web")
    second = Channel.objects.create(name="B", catalog=1, channel_type="web")

    response = admin_client.post(
        "/admin/channels/channel/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Channel.objects.filter(pk__in=[first.pk, second.pk]).exists()
    for channel in (first, second):
        [event] = channel_events(channel.pk)
        assert (event.action, event.source, event.actor) == (Action.DELETE, Source.ADMIN, staff)
