"""ETag, If-None-Match and If-Match on customers and channels (CONTRACT.md)."""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Action, AuditEvent
from channels.models import Channel
from customers.models import Customer
from customers.services import CustomerService
from tests.conftest import client_for, make_user
from tests.factories import FIXTURE_CONTEXT, ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

STALE = '"0123456789abcdef0123456789abcdef"'


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel, first_name="Ayşe")


def url_of(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/"


def updates_of(customer) -> int:
    return AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE).count()


def tag_of(api, url) -> str:
    response = api.get(url)
    assert response.status_code == 200
    return response["ETag"]


def test_a_customer_answer_carries_a_strong_etag(api, customer, channel):
    tag = tag_of(api, url_of(customer))

    assert tag.startswith('"') and tag.endswith('"')
    assert tag_of(api, f"/api/v1/channel/{channel.pk}/customers/{customer.pk}/") == tag
    assert tag_of(api, url_of(customer)) == tag


def test_if_none_match_with_the_current_tag_answers_304(api, customer):
    tag = tag_of(api, url_of(customer))

    for header in (tag, f"W/{tag}", f"{STALE}, {tag}", "*"):
        response = api.get(url_of(customer), HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response.content == b""
        assert response["ETag"] == tag


def test_if_none_match_with_an_old_tag_answers_the_customer(api, customer):
    old = tag_of(api, url_of(customer))
    api.patch(url_of(customer), {"first_name": "Fatma"}, format="json")

    response = api.get(url_of(customer), HTTP_IF_NONE_MATCH=old)

    assert response.status_code == 200
    assert response.json()["first_name"] == "Fatma"
    assert response["ETag"] != old


def test_every_write_answers_the_new_tag(api, customer, channel):
    created = api.post(
        "/api/v1/customers/",
        {"email": "a@example.com", "channel": channel.pk, "channel_code": "NEW"},
        format="json",
    )
    assert created.status_code == 201
    assert created["ETag"] == tag_of(api, f"/api/v1/customers/{created.json()['pk']}/")

    before = tag_of(api, url_of(customer))
    patched = api.patch(url_of(customer), {"first_name": "Fatma"}, format="json")
    assert patched["ETag"] != before
    assert patched["ETag"] == tag_of(api, url_of(customer))

    put = api.put(
        url_of(customer),
        {"email": "b@example.com", "channel": channel.pk, "channel_code": customer.channel_code},
        format="json",
    )
    assert put["ETag"] not in (before, patched["ETag"])
    assert put["ETag"] == tag_of(api, url_of(customer))


def test_a_patch_that_changes_nothing_keeps_the_tag(api, customer):
    tag = tag_of(api, url_of(customer))

    response = api.patch(url_of(customer), {"first_name": "Ayşe"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 200
    assert response["ETag"] == tag
    assert tag_of(api, url_of(customer)) == tag
    assert updates_of(customer) == 0


def test_if_match_with_the_current_tag_writes(api, customer):
    tag = tag_of(api, url_of(customer))

    response = api.patch(
        url_of(customer), {"first_name": "Fatma"}, format="json", HTTP_IF_MATCH=tag
    )

    assert response.status_code == 200
    assert Customer.objects.get(pk=customer.pk).first_name == "Fatma"
    assert updates_of(customer) == 1


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("patch", {"first_name": "Fatma"}),
        ("put", {"email": "b@example.com", "channel_code": "OTHER"}),
        ("delete", None),
    ],
)
def test_a_stale_if_match_answers_412_and_writes_nothing(api, customer, channel, method, body):
    old = tag_of(api, url_of(customer))
    api.patch(url_of(customer), {"last_name": "Demir"}, format="json")
    current = tag_of(api, url_of(customer))
    if body is not None:
        body["channel"] = channel.pk

    response = getattr(api, method)(url_of(customer), body, format="json", HTTP_IF_MATCH=old)

    assert response.status_code == 412
    assert response["ETag"] == current
    assert "ETag" in response.json()["detail"]
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.first_name, stored.email, stored.channel_code) == (
        "Ayşe",
        customer.email,
        customer.channel_code,
    )
    assert updates_of(customer) == 1
    assert not AuditEvent.objects.filter(object_id=customer.pk, action=Action.DELETE).exists()


def test_a_stale_tag_is_answered_before_the_body_is_validated(api, customer):
    response = api.patch(
        url_of(customer), {"email": "not-an-email"}, format="json", HTTP_IF_MATCH=STALE
    )

    assert response.status_code == 412


def test_a_weak_tag_never_matches_if_match(api, customer):
    tag = tag_of(api, url_of(customer))

    response = api.patch(
        url_of(customer), {"first_name": "X"}, format="json", HTTP_IF_MATCH=f"W/{tag}"
    )

    assert response.status_code == 412


def test_if_match_star_or_a_list_holding_the_tag_writes(api, customer):
    response = api.patch(url_of(customer), {"first_name": "A"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200

    tag = response["ETag"]
    response = api.patch(
        url_of(customer), {"first_name": "B"}, format="json", HTTP_IF_MATCH=f"{STALE}, {tag}"
    )
    assert response.status_code == 200


def test_a_malformed_if_match_is_a_400_naming_the_header(api, customer):
    response = api.patch(url_of(customer), {"first_name": "X"}, format="json", HTTP_IF_MATCH="abc")

    assert response.status_code == 400
    assert list(response.json()) == ["If-Match"]


def test_delete_with_the_current_tag_deletes(api, customer):
    tag = tag_of(api, url_of(customer))

    assert api.delete(url_of(customer), HTTP_IF_MATCH=tag).status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_deployment_can_require_if_match(api, customer, channel, settings, method):
    settings.REQUIRE_IF_MATCH = True
    body = {"email": "b@example.com", "channel": channel.pk, "channel_code": "OTHER"}

    response = getattr(api, method)(url_of(customer), body, format="json")

    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert Customer.objects.get(pk=customer.pk).email == customer.email
    assert updates_of(customer) == 0
    tag = tag_of(api, url_of(customer))
    assert getattr(api, method)(
        url_of(customer), body, format="json", HTTP_IF_MATCH=tag
    ).status_code in (
        200,
        204,
    )


def test_without_the_setting_a_write_needs_no_if_match(api, customer):
    assert api.patch(url_of(customer), {"first_name": "X"}, format="json").status_code == 200


def test_the_import_and_the_service_change_the_tag_only_with_a_change(api, customer, channel):
    tag = tag_of(api, url_of(customer))
    record = {"channel_code": customer.channel_code, "email": customer.email, "first_name": "Ayşe"}

    CustomerService.upsert_customers(channel, [record], audit_context=FIXTURE_CONTEXT)
    assert tag_of(api, url_of(customer)) == tag

    CustomerService.upsert_customers(
        channel, [{**record, "first_name": "Zeynep"}], audit_context=FIXTURE_CONTEXT
    )
    imported = tag_of(api, url_of(customer))
    assert imported != tag

    CustomerService.update_customer(
        customer=customer, audit_context=FIXTURE_CONTEXT, last_name="Kaya"
    )
    assert tag_of(api, url_of(customer)) not in (tag, imported)


def test_the_admin_changes_the_tag(customer, admin_client, api):
    tag = tag_of(api, url_of(customer))
    url = f"/admin/customers/customer/{customer.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "first_name": "Admin edit",
            "date_joined_0": "",
            "date_joined_1": "",
            "mappings-TOTAL_FORMS": "0",
            "mappings-INITIAL_FORMS": "0",
        }
    )
    for field in ("extra_field", "attributes", "attributes_kwargs", "localized_attributes"):
        data[field] = "{}"
    data["localized_attributes_kwargs"] = "{}"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content[:2000]
    assert Customer.objects.get(pk=customer.pk).first_name == "Admin edit"
    assert tag_of(api, url_of(customer)) != tag


class TestQueries:
    """Reading or checking a tag costs no query: it comes from the row already read.

    Each capture is counted as its block ends: a capture reads the connection's
    query log lazily, and a request made outside a capture empties that log.
    """

    def test_a_get_with_and_without_if_none_match(self, api, customer):
        tag = tag_of(api, url_of(customer))
        with CaptureQueriesContext(connection) as queries:
            api.get(url_of(customer))
        plain = len(queries)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url_of(customer), HTTP_IF_NONE_MATCH=tag).status_code == 304
        conditional = len(queries)

        assert plain == 2  # the token (with its user's permissions), the customer
        assert conditional == plain

    def test_a_patch_with_and_without_if_match(self, api, customer):
        with CaptureQueriesContext(connection) as queries:
            response = api.patch(url_of(customer), {"first_name": "A"}, format="json")
        plain = len(queries)
        with CaptureQueriesContext(connection) as queries:
            api.patch(
                url_of(customer), {"first_name": "B"}, format="json", HTTP_IF_MATCH=response["ETag"]
            )
        conditional = len(queries)

        assert conditional == plain

    def test_a_channel_patch_with_and_without_if_match(self, api, channel):
        url = f"/api/v1/channels/{channel.pk}/"
        api.patch(url, {"name": "Warm"}, format="json")  # the audit's content type, cached
        with CaptureQueriesContext(connection) as queries:
            response = api.patch(url, {"name": "A"}, format="json")
        plain = len(queries)
        with CaptureQueriesContext(connection) as queries:
            api.patch(url, {"name": "B"}, format="json", HTTP_IF_MATCH=response["ETag"])
        conditional = len(queries)

        assert conditional == plain


class TestChannels:
    def url(self, channel) -> str:
        return f"/api/v1/channels/{channel.pk}/"

    def test_get_answers_a_tag_and_304_for_it(self, api, channel):
        tag = tag_of(api, self.url(channel))

        response = api.get(self.url(channel), HTTP_IF_NONE_MATCH=tag)

        assert response.status_code == 304
        assert response["ETag"] == tag

    def test_a_write_changes_the_tag_and_a_stale_one_is_refused(self, api, channel):
        old = tag_of(api, self.url(channel))
        patched = api.patch(
            self.url(channel), {"name": "Renamed"}, format="json", HTTP_IF_MATCH=old
        )
        assert patched.status_code == 200
        assert patched["ETag"] not in (old, None)

        for method, body in (("patch", {"name": "Again"}), ("delete", None)):
            response = getattr(api, method)(
                self.url(channel), body, format="json", HTTP_IF_MATCH=old
            )
            assert response.status_code == 412
            assert response["ETag"] == patched["ETag"]
        assert Channel.objects.get(pk=channel.pk).name == "Renamed"

    def test_delete_with_the_current_tag(self, api):
        channel = ChannelFactory()
        tag = tag_of(api, self.url(channel))

        assert api.delete(self.url(channel), HTTP_IF_MATCH=tag).status_code == 204


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_patches_holding_one_tag_exactly_one_wins():
    customer = CustomerFactory(channel=ChannelFactory())
    user = make_user("racer")
    url = url_of(customer)
    tag = tag_of(client_for(user), url)
    clients = [client_for(user) for _ in range(20)]
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def patch(index):
        try:
            barrier.wait()
            responses[index] = clients[index].patch(
                url, {"first_name": f"writer-{index}"}, format="json", HTTP_IF_MATCH=tag
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 19
    winner = next(r for r in responses if r.status_code == 200)
    assert all(r["ETag"] == winner["ETag"] for r in responses)
    assert Customer.objects.get(pk=customer.pk).first_name == winner.json()["first_name"]
    assert updates_of(customer) == 1


class TestOpenAPI:
    @pytest.fixture
    def schema(self, api) -> dict:
        return api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    @staticmethod
    def header_names(operation) -> set[str]:
        return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/customers/{id}/",
            "/api/v1/channel/{channel_id}/customers/{id}/",
            "/api/v1/channels/{id}/",
        ],
    )
    def test_item_operations_document_the_headers_and_answers(self, schema, path):
        operations = schema["paths"][path]
        get = operations["get"]
        assert "If-None-Match" in self.header_names(get)
        assert "ETag" in get["responses"]["200"]["headers"]
        assert "ETag" in get["responses"]["304"]["headers"]
        for method in ("put", "patch", "delete"):
            assert "If-Match" in self.header_names(operations[method]), method
            assert {"412", "428"} <= set(operations[method]["responses"]), method
            assert "ETag" in operations[method]["responses"]["412"]["headers"], method
        assert "ETag" in operations["patch"]["responses"]["200"]["headers"]

    def test_the_lists_and_the_detailed_view_carry_no_tag(self, schema):
        for path in ("/api/v1/customers/", "/api/v1/customers/{id}/detailed/"):
            get = schema["paths"][path]["get"]
            assert "304" not in get["responses"]
            assert "If-None-Match" not in self.header_names(get)
