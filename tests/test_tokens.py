"""API tokens: kept as digests, one per login, expiring, revoked by logout; the commands."""

import datetime
import importlib
import types
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.models import Token, digest_of
from apitokens.services import issue_token

pytestmark = pytest.mark.django_db

LOGIN_URL = "/api/v1/auth/login/"
LOGOUT_URL = "/api/v1/auth/logout/"
LIST_URL = "/api/v1/customers/"
CREDENTIALS = {"username": "integrator", "password": "secret-pass-123"}


def login() -> str:
    response = APIClient().post(LOGIN_URL, CREDENTIALS, format="json")
    assert response.status_code == 200
    return response.json()["key"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_each_login_makes_a_new_key_and_both_keep_working(user, channel):
    tokens_before = Token.objects.filter(user=user).count()
    first, second = login(), login()

    assert first != second
    assert with_token(first).get(LIST_URL).status_code == 200
    assert with_token(second).get(LIST_URL).status_code == 200
    assert Token.objects.filter(user=user).count() == tokens_before + 2


def test_only_the_digest_of_a_key_is_stored(user):
    key = login()

    token = Token.objects.get(digest=digest_of(key))
    assert token.user == user and token.digest != key
    assert len(key) == 40 and int(key, 16) >= 0
    assert token.expires is None and token.revoked is None


def test_logout_revokes_the_token_it_was_sent_with(user, channel):
    used, other = login(), login()

    response = with_token(used).post(LOGOUT_URL)

    assert response.status_code == 204
    assert response.content == b""
    refused = with_token(used).get(LIST_URL)
    assert refused.status_code == 401
    assert refused.json() == {"detail": "Invalid token."}
    assert with_token(other).get(LIST_URL).status_code == 200
    assert Token.objects.get(digest=digest_of(used)).revoked is not None


def test_logout_twice_is_a_401_the_second_time(user):
    key = login()
    assert with_token(key).post(LOGOUT_URL).status_code == 204

    response = with_token(key).post(LOGOUT_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_logout_without_a_token_is_a_401():
    response = APIClient().post(LOGOUT_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_token_lasts_the_configured_time(user, channel, settings):
    settings.OMNITRON_TOKEN_TTL_SECONDS = 3600
    before = timezone.now()
    key = login()

    token = Token.objects.get(digest=digest_of(key))
    assert before + datetime.timedelta(seconds=3600) <= token.expires
    assert token.expires <= timezone.now() + datetime.timedelta(seconds=3600)
    assert with_token(key).get(LIST_URL).status_code == 200

    Token.objects.filter(pk=token.pk).update(expires=timezone.now() - datetime.timedelta(seconds=1))
    response = with_token(key).get(LIST_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Token has expired."}


def test_a_deleted_users_token_is_a_401(user, channel):
    key = login()
    user.delete()

    response = with_token(key).get(LIST_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_key_drf_authtoken_handed_out_keeps_working_after_the_migration(user, channel):
    """The data migration (apitokens 0002) on a table shaped as DRF's authtoken made it."""
    legacy_key = "0123456789abcdef0123456789abcdef01234567"
    created = timezone.now() - datetime.timedelta(days=30)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created timestamp with time zone NOT NULL, user_id integer NOT NULL UNIQUE)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
            "created datetime NOT NULL, user_id integer NOT NULL UNIQUE)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [legacy_key, connection.ops.adapt_datetimefield_value(created), user.pk],
        )
    assert with_token(legacy_key).get(LIST_URL).status_code == 401

    migration = importlib.import_module("apitokens.migrations.0002_authtoken_keys")
    migration.digests_of_authtoken_keys(apps, types.SimpleNamespace(connection=connection))

    assert with_token(legacy_key).get(LIST_URL).status_code == 200
    token = Token.objects.get(digest=digest_of(legacy_key))
    assert (token.user, token.created) == (user, created)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)


def test_the_admin_lists_tokens_without_their_keys(user):
    key = issue_token(user)
    Token.objects.update(revoked=timezone.now())
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client = APIClient()
    client.force_login(admin)

    page = client.get("/admin/apitokens/token/")

    assert page.status_code == 200
    text = page.content.decode()
    assert digest_of(key)[:12] in text and "integrator" in text
    assert key not in text and digest_of(key) not in text
    assert client.get("/admin/apitokens/token/add/").status_code == 403


def test_create_api_user_refuses_a_weak_password():
    with pytest.raises(CommandError) as refused:
        call_command("create_api_user", "robot", "--password", "1", stdout=StringIO())

    assert "--password refused" in str(refused.value)
    assert "too short" in str(refused.value)
    assert not get_user_model().objects.filter(username="robot").exists()


def test_create_api_user_with_a_good_password_can_log_in_and_prints_a_token(channel):
    out = StringIO()
    call_command("create_api_user", "robot", "--password", "a-long-robot-pass", stdout=out)

    printed = out.getvalue().strip()
    assert with_token(printed).get(LIST_URL).status_code == 200
    response = APIClient().post(
        LOGIN_URL, {"username": "robot", "password": "a-long-robot-pass"}, format="json"
    )
    assert response.status_code == 200


def test_setup_demo_prints_a_working_token_and_its_password_logs_in(db):
    out = StringIO()
    call_command("setup_demo", stdout=out)

    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    assert with_token(lines["API token"]).get(LIST_URL).status_code == 200
    username, password = lines["Demo user"].split(" / ")
    response = APIClient().post(
        LOGIN_URL, {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200
