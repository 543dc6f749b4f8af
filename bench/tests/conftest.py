"""Fixtures of the benchmark's own checks, run under bench.settings (see scripts/test.sh)."""

import pytest
from django.conf import settings as django_settings

from tests.conftest import client_for, make_user
from tests.factories import ChannelFactory


def pytest_configure(config):
    if django_settings.ROOT_URLCONF != "bench.urls":
        raise pytest.UsageError("bench/tests run under bench.settings: pytest --ds=bench.settings")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(db):
    return client_for(make_user("integrator"))


@pytest.fixture
def channel(db):
    return ChannelFactory(name="Web shop")
