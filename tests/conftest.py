import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from apitokens.services import issue_token
from customers.management.commands.create_api_user import grant_api_access
from omnitron import counting, db_router
from tests.factories import ChannelFactory


def pytest_collection_modifyitems(config, items):
    if not settings.OMNITRON_READ_REPLICAS:
        skip_replica = pytest.mark.skip(
            reason="needs a streaming replica: run scripts/replica.sh and set DATABASE_REPLICA_URLS"
        )
        for item in items:
            if "replica" in item.keywords:
                item.add_marker(skip_replica)
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL to run it")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def reads_on_the_primary(request, settings):
    """Only tests marked `replica` read from replicas.

    A replica mirrors the test database by name but sees only what is
    committed, and other tests keep their data in a transaction they roll back.
    """
    db_router.forget_replica_health()
    if "replica" not in request.keywords:
        settings.OMNITRON_READ_REPLICAS = []


@pytest.fixture(autouse=True)
def counts_made_afresh():
    """No test sees a query another test's rows put over the count limit."""
    counting.forget_over_limit_counts()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttle_counts(settings):
    """Each test starts with no failed logins or bad tokens counted against it.

    Every test client comes from one address, so counts would otherwise carry
    over from test to test. In this process's memory even when REDIS_URL is
    set, so a test run never empties a Redis (tests/test_throttle_processes.py
    gives its servers one of their own).
    """
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tests-throttle",
        },
    }
    caches["throttle"].clear()


def make_user(username: str, read_only: bool = False, permissions: bool = True):
    user = get_user_model().objects.create_user(username=username, password="secret-pass-123")
    if permissions:
        grant_api_access(user, read_only=read_only)
    return user


def grant(user, *permissions: str) -> None:
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    return client


@pytest.fixture
def user(db):
    return make_user("integrator")


@pytest.fixture
def api(user) -> APIClient:
    """A client whose token has every customer and channel permission."""
    return client_for(user)


@pytest.fixture
def read_only_api(db) -> APIClient:
    return client_for(make_user("reader", read_only=True))


@pytest.fixture
def no_permission_api(db) -> APIClient:
    return client_for(make_user("nobody", permissions=False))


@pytest.fixture
def channel(db):
    return ChannelFactory(name="Web shop")


@pytest.fixture
def other_channel(db):
    return ChannelFactory(name="Marketplace")


@pytest.fixture
def tr_locations(db) -> None:
    """The Turkish set shipped with the service (locations/data/tr_locations.csv), loaded."""
    call_command("load_locations", stdout=io.StringIO())
