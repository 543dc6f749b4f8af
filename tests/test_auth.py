"""Token authentication, the login route and model permissions."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apitokens.authentication import TokenAuthentication
from apitokens.models import Token, digest_of
from apitokens.services import issue_token
from tests.conftest import client_for, make_user
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/customers/"


def test_no_token_is_a_401(channel):
    response = APIClient().get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_bad_token_is_a_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_login_answers_a_token_of_the_user(user):
    response = APIClient().post(
        "/api/v1/auth/login/",
        {"username": "integrator", "password": "secret-pass-123"},
        format="json",
    )
    assert response.status_code == 200
    assert list(response.json()) == ["key"]
    key = response.json()["key"]
    # Stored as its digest only: the key itself is in no row.
    assert Token.objects.get(digest=digest_of(key)).user == user
    assert not Token.objects.filter(digest=key).exists()


def test_login_with_bad_credentials_is_a_400(user):
    response = APIClient().post(
        "/api/v1/auth/login/", {"username": "integrator", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_login_token_works_on_the_api(user, channel):
    key = (
        APIClient()
        .post("/api/v1/auth/login/", {"username": "integrator", "password": "secret-pass-123"})
        .json()["key"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(LIST_URL).status_code == 200


def test_user_without_view_permission_cannot_list(no_permission_api):
    response = no_permission_api.get(LIST_URL)
    assert response.status_code == 403
    assert "detail" in response.json()


def test_read_only_user_can_read_but_not_write(read_only_api, channel):
    customer = CustomerFactory(channel=channel, first_name="Ali")
    url = f"{LIST_URL}{customer.pk}/"

    assert read_only_api.get(url).status_code == 200
    assert read_only_api.get(f"{LIST_URL}detailed/").status_code == 200
    assert read_only_api.patch(url, {"first_name": "Veli"}, format="json").status_code == 403
    assert read_only_api.delete(url).status_code == 403
    body = {"email": "a@example.com", "channel": channel.pk, "channel_code": "N"}
    assert read_only_api.post(LIST_URL, body, format="json").status_code == 403
    customer.refresh_from_db()
    assert customer.first_name == "Ali"


def test_change_permission_alone_allows_patch_but_not_delete(channel):
    user = make_user("editor", permissions=False)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer"])
    )
    client = client_for(user)
    customer = CustomerFactory(channel=channel)
    url = f"{LIST_URL}{customer.pk}/"

    assert client.patch(url, {"first_name": "Veli"}, format="json").status_code == 200
    assert client.delete(url).status_code == 403


def test_create_api_user_command_prints_a_working_token(channel):
    out = StringIO()
    call_command("create_api_user", "robot", "--read-only", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert client.get(LIST_URL).status_code == 200
    assert client.post(LIST_URL, {}, format="json").status_code == 403


# The token, its user and the user's permissions are read in one query
# (apitokens/authentication.py): each source of a permission must still count.


def test_a_groups_permission_lets_its_members_read(channel):
    user = make_user("grouped", permissions=False)
    client = client_for(user)
    assert client.get(LIST_URL).status_code == 403

    readers = Group.objects.create(name="readers")
    readers.permissions.add(Permission.objects.get(codename="view_customer"))
    user.groups.add(readers)
    assert client.get(LIST_URL).status_code == 200
    assert client.patch(f"{LIST_URL}1/", {}, format="json").status_code == 403


def test_permissions_from_the_user_and_a_group_add_up(channel):
    user = make_user("both", permissions=False)
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    editors = Group.objects.create(name="editors")
    editors.permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "change_customer"])
    )
    user.groups.add(editors)
    customer = CustomerFactory(channel=channel)

    response = client_for(user).patch(
        f"{LIST_URL}{customer.pk}/", {"first_name": "Veli"}, format="json"
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.first_name == "Veli"


def test_a_revoked_permission_holds_from_the_next_request(channel):
    user = make_user("revoked", read_only=True)
    client = client_for(user)
    assert client.get(LIST_URL).status_code == 200

    user.user_permissions.remove(Permission.objects.get(codename="view_customer"))
    assert client.get(LIST_URL).status_code == 403


def test_a_superuser_needs_no_permission_rows(channel):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    assert client_for(admin).get(LIST_URL).status_code == 200


def test_an_inactive_users_token_is_a_401(user, channel):
    client = client_for(user)
    user.is_active = False
    user.save()
    response = client.get(LIST_URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_the_authenticated_user_and_token_are_the_stored_ones(user):
    """The hand-written token query reads back what the ORM would: types and values."""
    user.last_login = timezone.now()
    user.is_staff = True
    user.save()
    stored = get_user_model().objects.get(pk=user.pk)
    key = issue_token(user)
    stored_token = Token.objects.get(digest=digest_of(key))

    found, token = TokenAuthentication().authenticate_credentials(key)

    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(stored, name) for name in fields]
    assert found.last_login.tzinfo is not None and found.is_staff is True
    token_fields = [field.attname for field in Token._meta.concrete_fields]
    assert [getattr(token, name) for name in token_fields] == [
        getattr(stored_token, name) for name in token_fields
    ]
    assert token.user_id == user.pk and token.created.tzinfo is not None
    assert token.user is found and not found._state.adding


class OwnPermissionsOnlyBackend(ModelBackend):
    """A backend that ignores what groups grant."""

    def get_group_permissions(self, user_obj, obj=None):
        return set()


def test_another_permission_backend_decides_for_itself(channel, settings):
    """The permissions read with the token fill ModelBackend's cache only under ModelBackend."""
    settings.AUTHENTICATION_BACKENDS = ["tests.test_auth.OwnPermissionsOnlyBackend"]
    user = make_user("grouped", permissions=False)
    readers = Group.objects.create(name="readers")
    readers.permissions.add(Permission.objects.get(codename="view_customer"))
    user.groups.add(readers)

    assert client_for(user).get(LIST_URL).status_code == 403
