"""Failed logins and bad tokens are limited (429 with Retry-After), counted in the shared cache."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from rest_framework.test import APIClient

from apitokens.services import issue_token

pytestmark = pytest.mark.django_db

LOGIN_URL = "/api/v1/auth/login/"
LIST_URL = "/api/v1/customers/"
PASSWORD = "secret-pass-123"  # the `user` fixture's


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting the passwords it hashes or checks."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def limits(settings):
    settings.OMNITRON_LOGIN_FAILURES_PER_USERNAME = 3
    settings.OMNITRON_LOGIN_FAILURES_PER_ADDRESS = 100
    settings.OMNITRON_LOGIN_FAILURE_WINDOW_SECONDS = 900
    settings.OMNITRON_BAD_TOKENS_PER_ADDRESS = 3
    settings.OMNITRON_BAD_TOKEN_WINDOW_SECONDS = 60
    return settings


def log_in(username="integrator", password="wrong", **extra):
    return APIClient().post(
        LOGIN_URL, {"username": username, "password": password}, format="json", **extra
    )


def assert_throttled(response, longest: int):
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"].startswith("Request was throttled.")
    assert 0 < int(response["Retry-After"]) <= longest


def test_failed_logins_are_limited_per_username(user, limits):
    for _ in range(3):
        assert log_in().status_code == 400

    refused = log_in(password=PASSWORD)

    assert_throttled(refused, 900)
    # Another username from the same address is not held back.
    other = log_in("someone-else")
    assert other.status_code == 400


def test_failed_logins_are_limited_per_address(user, limits):
    limits.OMNITRON_LOGIN_FAILURES_PER_USERNAME = 100
    limits.OMNITRON_LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ("anna", "berk", "cem"):
        assert log_in(name, REMOTE_ADDR="198.51.100.7").status_code == 400

    refused = log_in("integrator", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert_throttled(refused, 900)
    assert log_in("integrator", PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_at_the_limit_the_password_is_not_even_hashed(user, limits):
    limits.PASSWORD_HASHERS = ["tests.test_login_throttling.CountingHasher"]
    user.set_password(PASSWORD)
    user.save()
    for _ in range(3):
        assert log_in().status_code == 400
    hashed = CountingHasher.calls

    assert log_in(password=PASSWORD).status_code == 429
    assert log_in("no-such-user").status_code == 400  # hashed: unknown users cost the same
    assert CountingHasher.calls == hashed + 1


def test_a_successful_login_is_not_counted_and_starts_the_username_count_again(user, limits):
    limits.OMNITRON_LOGIN_FAILURES_PER_ADDRESS = 5
    for _ in range(10):
        assert log_in(password=PASSWORD).status_code == 200
    for _ in range(2):
        assert log_in().status_code == 400
    assert log_in(password=PASSWORD).status_code == 200

    # Two more failures: 4 for the address in all (under 5), 2 for the username since.
    for _ in range(2):
        assert log_in().status_code == 400
    assert log_in(password=PASSWORD).status_code == 200


def test_a_missing_field_is_a_400_and_not_a_failed_login(user, limits):
    for _ in range(5):
        response = APIClient().post(LOGIN_URL, {"username": "integrator"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"password": ["This field is required."]}

    assert log_in(password=PASSWORD).status_code == 200


def test_requests_with_bad_tokens_are_limited_per_address(user, channel, limits):
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    for _ in range(3):
        assert bad.get(LIST_URL).status_code == 401

    assert_throttled(bad.get(LIST_URL), 60)
    # Another address is not held back; a good token is never held back.
    elsewhere = bad.get(LIST_URL, REMOTE_ADDR="198.51.100.9")
    assert elsewhere.status_code == 401
    assert elsewhere.json() == {"detail": "Invalid token."}
    good = APIClient()
    good.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)}")
    assert good.get(LIST_URL).status_code == 200


def test_revoked_tokens_and_malformed_headers_count_as_bad_tokens(user, channel, limits):
    revoked = issue_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {revoked}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get(LIST_URL).status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert client.get(LIST_URL).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {revoked}")
    assert client.get(LIST_URL).status_code == 401

    assert client.get(LIST_URL).status_code == 429


def test_x_forwarded_for_is_never_read(user, limits):
    for number in range(3):
        assert log_in(HTTP_X_FORWARDED_FOR=f"203.0.113.{number}").status_code == 400

    assert log_in(HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429
