"""Idempotency-Key on POST and PATCH (CONTRACT.md, "Conditional writes and retries")."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Action, AuditEvent
from channels.models import Channel
from customers.models import Customer
from customers.services import CustomerService
from idempotency.models import IdempotencyKey
from tests.conftest import client_for, make_user
from tests.factories import ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"


def body_for(channel, code="C-1") -> dict:
    return {"email": "a@example.com", "channel": channel.pk, "channel_code": code}


def post(api, body, key, url=CUSTOMERS):
    return api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retried_post_answers_the_first_answer_and_writes_nothing(api, channel):
    first = post(api, body_for(channel), "key-1")
    retry = post(api, body_for(channel), "key-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["ETag"] == first["ETag"]
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Customer.objects.filter(channel=channel).count() == 1
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_id=first.json()["pk"]).count() == 1
    )


def test_a_retried_patch_is_not_applied_twice(api, channel):
    customer = CustomerFactory(channel=channel)
    url = f"{CUSTOMERS}{customer.pk}/"

    first = api.patch(url, {"first_name": "Fatma"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    api.patch(url, {"first_name": "Zeynep"}, format="json")
    retry = api.patch(url, {"first_name": "Fatma"}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")

    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Customer.objects.get(pk=customer.pk).first_name == "Zeynep"
    assert AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE).count() == 2


def test_the_key_with_another_request_is_a_422(api, channel, other_channel):
    post(api, body_for(channel), "key-1")

    other_body = post(api, body_for(channel, "C-2"), "key-1")
    other_path = post(
        api, body_for(channel), "key-1", url=f"/api/v1/channel/{channel.pk}/customers/"
    )

    for response in (other_body, other_path):
        assert response.status_code == 422
        assert "different request" in response.json()["detail"]
    assert Customer.objects.count() == 1


def test_keys_belong_to_their_user(api, channel):
    post(api, body_for(channel), "shared-key")

    response = post(client_for(make_user("other")), body_for(channel, "C-2"), "shared-key")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_a_client_error_is_kept_and_replayed(api, channel):
    first = post(api, {"channel": channel.pk}, "bad")
    retry = post(api, {"channel": channel.pk}, "bad")

    assert first.status_code == retry.status_code == 400
    assert (
        retry.json()
        == first.json()
        == {
            "email": ["This field is required."],
            "channel_code": ["This field is required."],
        }
    )
    assert retry["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("length", [0, 256])
def test_a_key_of_a_wrong_length_is_a_400_naming_the_header(api, channel, length):
    response = post(api, body_for(channel), "k" * length)

    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Customer.objects.exists()


def test_a_key_of_255_characters_is_kept(api, channel):
    post(api, body_for(channel), "k" * 255)

    assert post(api, body_for(channel), "k" * 255)["Idempotent-Replayed"] == "true"


def test_without_authentication_no_key_is_taken(channel):
    from rest_framework.test import APIClient

    response = APIClient().post(
        CUSTOMERS, body_for(channel), format="json", HTTP_IDEMPOTENCY_KEY="x"
    )

    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_server_error_is_not_kept(api, channel, monkeypatch):
    original = CustomerService.create_customer

    def failing(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(CustomerService, "create_customer", failing)
    api.raise_request_exception = False
    failed = post(api, body_for(channel), "key-1")
    assert failed.status_code == 500
    assert not IdempotencyKey.objects.exists()

    monkeypatch.setattr(CustomerService, "create_customer", original)
    retry = post(api, body_for(channel), "key-1")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry


def test_a_5xx_answer_is_not_kept(api, channel, monkeypatch):
    from rest_framework.exceptions import APIException

    def unavailable(*args, **kwargs):
        raise APIException("try later")  # a 500 answered by DRF's handler

    monkeypatch.setattr(CustomerService, "create_customer", unavailable)

    assert post(api, body_for(channel), "key-1").status_code == 500
    assert not IdempotencyKey.objects.exists()


def test_a_claim_whose_lease_ran_out_is_taken_over(api, user, channel):
    """A process that died mid-request leaves its claim; after the lease a retry runs."""
    stale = post(api, body_for(channel, "C-0"), "crashed")
    assert stale.status_code == 201
    IdempotencyKey.objects.filter(key="crashed").update(
        response_status=None, locked_until=timezone.now() - timedelta(seconds=1)
    )

    response = post(api, body_for(channel, "C-0"), "crashed")

    assert response.status_code == 400  # it ran: the customer exists now
    assert "Idempotent-Replayed" not in response
    assert post(api, body_for(channel, "C-0"), "crashed")["Idempotent-Replayed"] == "true"


def test_a_running_claim_is_a_409(api, user, channel):
    IdempotencyKey.objects.create(
        user=user,
        key="running",
        fingerprint="not checked first",
        created_at=timezone.now(),
        locked_until=timezone.now() + timedelta(seconds=30),
    )
    # The same request, so that the fingerprint matches what a running one would hold.
    post(api, body_for(channel), "probe")
    fingerprint = IdempotencyKey.objects.get(key="probe").fingerprint
    IdempotencyKey.objects.filter(key="running").update(fingerprint=fingerprint)

    response = post(api, body_for(channel), "running")

    assert response.status_code == 409
    assert "still being processed" in response.json()["detail"]


def test_an_answer_older_than_a_day_is_not_replayed(api, channel):
    post(api, body_for(channel), "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = post(api, body_for(channel, "C-2"), "old")

    assert response.status_code == 201
    assert Customer.objects.count() == 2


def test_the_purge_command_deletes_keys_older_than_a_day(api, channel):
    post(api, body_for(channel, "C-1"), "old")
    post(api, body_for(channel, "C-2"), "new")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    out = io.StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
    assert "Deleted 1 expired idempotency keys." in out.getvalue()


def test_the_workers_schedule_purges_expired_keys_hourly(api, channel):
    from django.conf import settings

    from idempotency.tasks import purge_idempotency_keys

    post(api, body_for(channel, "C-1"), "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    entry = settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]

    assert entry["task"] == purge_idempotency_keys.name
    assert entry["schedule"] == 3600.0
    assert purge_idempotency_keys.apply().get() == 1
    assert not IdempotencyKey.objects.exists()


def test_channels_take_keys_too(api):
    body = {"name": "Trendyol", "catalog": 1, "channel_type": "trendyol", "conf": {}}

    first = post(api, body, "ch-1", url="/api/v1/channels/")
    retry = post(api, body, "ch-1", url="/api/v1/channels/")

    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Channel.objects.filter(name="Trendyol").count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_key_adds_at_most_two_queries_to_a_post():
    channel = ChannelFactory()
    api = client_for(make_user("counter"))
    api.post(CUSTOMERS, body_for(channel, "C-0"), format="json")  # caches the content type
    # Each capture counted as its block ends: a request outside one empties the query log.
    with CaptureQueriesContext(connection) as queries:
        assert api.post(CUSTOMERS, body_for(channel, "C-1"), format="json").status_code == 201
    plain = len(queries)
    with CaptureQueriesContext(connection) as queries:
        assert post(api, body_for(channel, "C-2"), "key-2").status_code == 201
    keyed = len(queries)
    with CaptureQueriesContext(connection) as queries:
        assert post(api, body_for(channel, "C-2"), "key-2")["Idempotent-Replayed"] == "true"
    replayed = len(queries)

    assert keyed <= plain + 2
    assert replayed <= 3  # the token, the failed insert, the kept answer


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_first_request_runs_is_a_409(monkeypatch):
    channel = ChannelFactory()
    user = make_user("slow")
    inside, release = threading.Event(), threading.Event()
    original = CustomerService.create_customer

    def held_open(*args, **kwargs):
        inside.set()
        assert release.wait(timeout=30)
        return original(*args, **kwargs)

    monkeypatch.setattr(CustomerService, "create_customer", held_open)
    responses = {}

    def first_request():
        try:
            responses["first"] = post(client_for(user), body_for(channel), "slow-key")
        finally:
            connection.close()

    thread = threading.Thread(target=first_request)
    thread.start()
    try:
        assert inside.wait(timeout=30)
        retry = post(client_for(user), body_for(channel), "slow-key")
        other = post(client_for(user), body_for(channel, "C-9"), "slow-key")
    finally:
        release.set()
        thread.join(timeout=30)

    assert retry.status_code == 409
    assert other.status_code == 422
    assert responses["first"].status_code == 201
    replay = post(client_for(user), body_for(channel), "slow-key")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == responses["first"].json()
    assert Customer.objects.filter(channel=channel).count() == 1


class TestOpenAPI:
    @pytest.fixture
    def schema(self, api) -> dict:
        return api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    @pytest.mark.parametrize(
        ("path", "method"),
        [
            ("/api/v1/customers/", "post"),
            ("/api/v1/customers/{id}/", "patch"),
            ("/api/v1/channel/{channel_id}/customers/", "post"),
            ("/api/v1/channels/", "post"),
            ("/api/v1/channels/{id}/", "patch"),
        ],
    )
    def test_posts_and_patches_document_the_key(self, schema, path, method):
        operation = schema["paths"][path][method]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}

        assert "Idempotency-Key" in headers
        assert {"409", "422"} <= set(operation["responses"])
        success = next(code for code in ("200", "201") if code in operation["responses"])
        assert "Idempotent-Replayed" in operation["responses"][success]["headers"]

    def test_put_and_delete_take_no_key(self, schema):
        for method in ("put", "delete"):
            operation = schema["paths"]["/api/v1/customers/{id}/"][method]
            headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert "Idempotency-Key" not in headers
            assert "422" not in operation["responses"]
