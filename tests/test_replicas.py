"""Reads on a streaming replica, with read-your-writes (omnitron/db_router.py).

Against a real replica (scripts/replica.sh, DATABASE_REPLICA_URLS): the test
database lives on the primary and streams to it. A replica is made to lag by
pausing its replay (`pg_wal_replay_pause()`); the writer must still read its
own writes every time, and everyone else must read from the replica.
"""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for, make_user

pytestmark = [
    pytest.mark.replica,
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

REPLICA = "replica_1"
URL = "/api/v1/customers/"


def replica_sql(sql: str):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_for_replay() -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while not replica_sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def replica_settings(settings):
    # Other work on a shared primary must not push the paused replica past the lag limit.
    settings.OMNITRON_REPLICA_MAX_LAG_BYTES = 1 << 40
    settings.OMNITRON_REPLICA_CHECK_SECONDS = 3600


@pytest.fixture
def paused_replica():
    """The replica, caught up, then replaying nothing more until the test ends."""
    wait_for_replay()
    replica_sql("SELECT pg_wal_replay_pause()::text")
    yield
    replica_sql("SELECT pg_wal_replay_resume()::text")


@pytest.fixture
def writer(db):
    return client_for(make_user("writer"))


@pytest.fixture
def reader(db):
    return client_for(make_user("reader", read_only=True))


@pytest.fixture
def customer_pk(writer, channel) -> int:
    response = writer.post(
        URL, {"email": "a@example.com", "channel": channel.pk, "channel_code": "C-1"}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["pk"]


def queries_per_database(request):
    """(answer, queries on the primary, queries on the replica) of `request()`."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = request()
    return response, len(primary), len(replica)


def test_a_caller_reads_its_own_writes_while_the_replica_lags_behind_them(
    writer, customer_pk, paused_replica
):
    for number in range(5):
        name = f"Name {number}"
        response = writer.patch(f"{URL}{customer_pk}/", {"first_name": name}, format="json")
        assert response.status_code == 200

        assert writer.get(f"{URL}{customer_pk}/").json()["first_name"] == name
        listed = writer.get(URL, {"first_name": name}).json()
        assert [row["pk"] for row in listed["results"]] == [customer_pk]
    # The replica has none of it: those reads were the primary's.
    assert replica_sql(f"SELECT first_name FROM customers_customer WHERE id = {customer_pk}") == ""


def test_everyone_else_reads_from_the_replica(writer, reader, customer_pk, paused_replica):
    writer.patch(f"{URL}{customer_pk}/", {"first_name": "New"}, format="json")
    reader.get(URL)  # the replica's first health check reads the primary's position

    for path in (URL, f"{URL}{customer_pk}/", "/api/v1/oms/customers/list-simple/"):
        response, on_primary, on_replica = queries_per_database(lambda p=path: reader.get(p))
        assert response.status_code == 200
        assert (on_primary, on_replica > 0) == (0, True), path
    # What the replica has replayed: the write came after the pause.
    assert reader.get(f"{URL}{customer_pk}/").json()["first_name"] == ""


def test_once_the_replica_has_replayed_a_write_its_writer_reads_there_again(writer, customer_pk):
    writer.patch(f"{URL}{customer_pk}/", {"first_name": "New"}, format="json")
    wait_for_replay()
    writer.get(URL)  # the replica's first health check reads the primary's position

    response, on_primary, on_replica = queries_per_database(
        lambda: writer.get(f"{URL}{customer_pk}/")
    )
    assert response.json()["first_name"] == "New"
    assert on_primary == 0 and on_replica > 0


def test_a_new_token_works_at_once(reader, paused_replica):
    token = reader.post(
        "/api/v1/auth/login/", {"username": "reader", "password": "secret-pass-123"}, format="json"
    ).json()["key"]
    reader.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert reader.get(URL).status_code == 200


def test_a_revoked_token_is_refused_at_once(writer, paused_replica):
    assert writer.post("/api/v1/auth/logout/").status_code == 204
    assert writer.get(URL).status_code == 401


def test_a_lagging_replica_is_skipped(writer, reader, customer_pk, paused_replica, settings):
    writer.patch(f"{URL}{customer_pk}/", {"first_name": "New"}, format="json")
    settings.OMNITRON_REPLICA_MAX_LAG_BYTES = 0
    settings.OMNITRON_REPLICA_CHECK_SECONDS = 0

    response, on_primary, _ = queries_per_database(lambda: reader.get(f"{URL}{customer_pk}/"))
    assert response.json()["first_name"] == "New"
    assert on_primary >= 3  # the token, the customer, and the replica's lag check


def test_a_replica_that_is_down_is_skipped(reader, customer_pk, monkeypatch):
    connections[REPLICA].close()
    # A port nothing listens on (within this project's own range).
    monkeypatch.setitem(connections[REPLICA].settings_dict, "PORT", 8649)
    try:
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            response = reader.get(f"{URL}{customer_pk}/")
    finally:
        connections[REPLICA].close()
    assert response.status_code == 200
    assert response.json()["pk"] == customer_pk
    assert len(primary) >= 2  # the token and the customer
