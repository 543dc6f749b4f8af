"""The address routes as an integrator uses them (CONTRACT.md, "Addresses and locations")."""

import re

import pytest
from django.test import Client

from addresses.models import Address
from audit.models import Action, AuditEvent, Source
from locations.models import City, Country, District, Township
from locations.services import LocationService
from tests.conftest import client_for, grant, make_user
from tests.factories import CustomerFactory, create_address

pytestmark = pytest.mark.django_db

URL = "/api/v1/addresses/"
FIELD_ORDER = [
    "pk",
    "customer",
    "email",
    "phone_number",
    "first_name",
    "last_name",
    "country",
    "city",
    "township",
    "district",
    "line",
    "postcode",
    "title",
    "notes",
    "company_name",
    "tax_office",
    "tax_no",
    "e_bill_taxpayer",
    "identity_number",
    "remote_id",
    "address_type",
    "retail_store",
    "extra_field",
    "hash_data",
    "is_active",
    "created_date",
    "modified_date",
]
REQUIRED = ["customer", "first_name", "last_name", "phone_number", "country", "city", "line"]
NULLABLE = [
    "title",
    "notes",
    "company_name",
    "tax_office",
    "tax_no",
    "remote_id",
    "identity_number",
    "township",
    "district",
    "postcode",
    "retail_store",
]
LENGTHS = {
    "email": 254,
    "phone_number": 128,
    "first_name": 255,
    "last_name": 255,
    "title": 128,
    "line": 255,
    "postcode": 64,
    "notes": 512,
    "company_name": 255,
    "tax_office": 64,
    "tax_no": 20,
    "identity_number": 64,
}
DIGEST = re.compile(r"^[0-9a-f]{64}$")
STALE = '"0123456789abcdef0123456789abcdef"'


@pytest.fixture
def places(tr_locations):
    return {
        "TR": Country.objects.get(code="TR"),
        "İstanbul": City.objects.get(name="İstanbul"),
        "Ankara": City.objects.get(name="Ankara"),
        "Kadıköy": Township.objects.get(name="Kadıköy"),
        "Çankaya": Township.objects.get(name="Çankaya"),
        "Caferağa": District.objects.get(name="Caferağa"),
        "Levent": District.objects.get(name="Levent"),
    }


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel)


@pytest.fixture
def body(customer, places) -> dict:
    return {
        "customer": customer.pk,
        "email": "ayse@example.com",
        "phone_number": "05551112233",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "country": places["TR"].pk,
        "city": places["İstanbul"].pk,
        "township": places["Kadıköy"].pk,
        "district": places["Caferağa"].pk,
        "line": "İSTİKLAL CAD. No: 5",
        "postcode": "34710",
        "title": "Home",
        "notes": "Ring twice",
        "company_name": "Yılmaz Ltd.",
        "tax_office": "Kadıköy",
        "tax_no": "1234567890",
        "e_bill_taxpayer": True,
        "identity_number": "12345678901",
        "remote_id": "MP-A-1",
        "address_type": "customer",
        "retail_store": None,
        "extra_field": {"floor": 3},
        "is_active": True,
    }


def url_of(pk) -> str:
    return f"{URL}{pk}/"


def events_of(pk, action=None):
    events = AuditEvent.objects.filter(content_type__app_label="addresses", object_id=pk)
    return events.filter(action=action) if action else events


# Create, read, update, delete


def test_create_answers_the_address_in_the_documented_field_order(api, body):
    response = api.post(URL, body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert list(data) == FIELD_ORDER
    assert {k: v for k, v in data.items() if k in body} == body
    assert DIGEST.match(data["hash_data"])
    assert data["created_date"].endswith("Z")
    assert response["ETag"] == api.get(url_of(data["pk"]))["ETag"]
    assert Address.objects.get(pk=data["pk"]).line == "İSTİKLAL CAD. No: 5"


def test_defaults_of_a_minimal_address(api, body):
    minimal = {field: body[field] for field in REQUIRED}

    response = api.post(URL, minimal, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["address_type"], data["is_active"], data["e_bill_taxpayer"]) == (
        "customer",
        True,
        False,
    )
    assert data["extra_field"] == {}
    assert all(data[field] is None for field in NULLABLE)


def test_required_fields_are_named(api):
    response = api.post(URL, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: ["This field is required."] for field in REQUIRED}


def test_optional_fields_take_null(api, body):
    response = api.post(URL, {**body, **dict.fromkeys(NULLABLE)}, format="json")

    assert response.status_code == 201, response.content
    assert all(response.json()[field] is None for field in NULLABLE)


@pytest.mark.parametrize(("field", "length"), LENGTHS.items())
def test_a_value_too_long_is_a_400_naming_the_field(api, body, field, length):
    value = "a" * (length - len("@example.com")) + "@example.com" if field == "email" else ""
    accepted = api.post(URL, {**body, field: value or "7" * length}, format="json")
    assert accepted.status_code == 201, accepted.content

    too_long = value.replace("a", "aa", 1) if value else "7" * (length + 1)
    response = api.post(URL, {**body, "line": "Another line", field: too_long}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_address_type_is_a_choice(api, body):
    stored = api.post(URL, {**body, "address_type": "retail_store", "retail_store": 7}, "json")
    assert stored.status_code == 201
    assert (stored.json()["address_type"], stored.json()["retail_store"]) == ("retail_store", 7)

    response = api.post(URL, {**body, "address_type": "warehouse"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["address_type"]


def test_patch_put_and_delete(api, body, places):
    pk = api.post(URL, body, format="json").json()["pk"]

    patched = api.patch(url_of(pk), {"title": "Office", "notes": None}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["notes"]) == ("Office", None)

    moved = {**body, "city": places["Ankara"].pk, "township": None, "district": None}
    put = api.put(url_of(pk), moved, format="json")
    assert put.status_code == 200, put.content
    assert put.json()["city"] == places["Ankara"].pk
    assert put.json()["hash_data"] != patched.json()["hash_data"]

    assert api.delete(url_of(pk)).status_code == 204
    assert api.get(url_of(pk)).json() == {"detail": "Not found."}
    assert api.get(url_of(pk)).status_code == 404


def test_put_requires_the_required_fields(api, body):
    pk = api.post(URL, body, format="json").json()["pk"]

    response = api.put(url_of(pk), {"line": "x"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == set(REQUIRED) - {"line"}


def test_an_address_stays_with_its_customer(api, body, channel):
    pk = api.post(URL, body, format="json").json()["pk"]
    other = CustomerFactory(channel=channel)

    response = api.patch(url_of(pk), {"customer": other.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {"customer": ["An address cannot move to another customer."]}


def test_the_hash_data_is_read_only(api, body):
    response = api.post(URL, {**body, "hash_data": "0" * 64}, format="json")

    assert response.json()["hash_data"] != "0" * 64


# The location chain


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"city": "Ankara"}, "city", "This city is not in the given country."),
        (
            {"township": "Çankaya", "district": None},
            "township",
            "This township is not in the given city.",
        ),
        ({"district": "Levent"}, "district", "This district is not in the given township."),
        ({"township": None}, "district", "This district is not in the given township."),
    ],
)
def test_a_location_outside_its_parent_is_a_400_naming_it(
    api, body, places, changes, field, message
):
    germany = LocationService.create_location(Country, name="Deutschland", code="DE")
    values = {name: places[value].pk if value else None for name, value in changes.items()}
    if field == "city":
        values["country"] = germany.pk
        values.pop("city")

    response = api.post(URL, {**body, **values}, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Address.objects.exists()


def test_a_patch_moving_the_city_checks_the_township(api, body, places):
    pk = api.post(URL, body, format="json").json()["pk"]

    response = api.patch(url_of(pk), {"city": places["Ankara"].pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "township": ["This township is not in the given city."],
    }


@pytest.mark.parametrize("field", ["country", "city", "township", "district", "customer"])
def test_an_unknown_location_or_customer_is_a_400_naming_it(api, body, field):
    response = api.post(URL, {**body, field: 999999}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_an_inactive_location_is_refused_when_set(api, body, places):
    kadikoy = places["Kadıköy"]
    LocationService.update_location(kadikoy, is_active=False)

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"township": ["This township is not active."]}


def test_an_address_in_a_place_made_inactive_later_can_still_change(api, body, places):
    pk = api.post(URL, body, format="json").json()["pk"]
    LocationService.update_location(places["Kadıköy"], is_active=False)

    response = api.patch(url_of(pk), {"notes": "Leave at the door"}, format="json")

    assert response.status_code == 200


# hash_data: the duplicate answer


def test_an_address_the_customer_has_is_a_400_naming_its_digest(api, body):
    first = api.post(URL, body, format="json").json()

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    digest = first["hash_data"]
    assert response.json() == {
        "non_field_errors": [
            f"hash_data:{digest} The customer already has this address: "
            f"GET addresses/?hash_data={digest} finds it."
        ],
        "error_code": "address_duplicated",
    }
    assert Address.objects.count() == 1


def test_the_digest_of_the_duplicate_answer_finds_the_original(api, body):
    original = api.post(URL, body, format="json").json()
    answer = api.post(URL, body, format="json").json()

    message = answer["non_field_errors"][0]
    assert message.startswith("hash_data:")
    digest = message.removeprefix("hash_data:").split(" ", 1)[0]
    found = api.get(URL, {"hash_data": digest}).json()

    assert [row["pk"] for row in found["results"]] == [original["pk"]]


def test_the_digest_ignores_case_and_spaces_turkish_included(api, body):
    api.post(URL, body, format="json")
    shouted = {
        **body,
        "line": "  istiklal   cad. no: 5 ",
        "first_name": "AYŞE",
        "last_name": "YILMAZ",
        "tax_office": "KADIKÖY",
    }

    response = api.post(URL, shouted, format="json")

    assert response.status_code == 400
    assert response.json()["error_code"] == "address_duplicated"


def test_notes_remote_id_and_extra_field_are_not_content(api, body):
    api.post(URL, body, format="json")
    changed = {**body, "notes": "Other", "remote_id": "R-2", "extra_field": {}, "is_active": False}

    assert api.post(URL, changed, format="json").status_code == 400


def test_another_customer_may_have_the_same_address(api, body, channel):
    other = CustomerFactory(channel=channel)
    first = api.post(URL, body, format="json").json()

    second = api.post(URL, {**body, "customer": other.pk}, format="json")

    assert second.status_code == 201
    assert second.json()["hash_data"] != first["hash_data"]


def test_an_update_onto_another_address_of_the_customer_is_the_duplicate_answer(api, body):
    first = api.post(URL, body, format="json").json()
    second = api.post(URL, {**body, "line": "Bağdat Cad. 2"}, format="json").json()

    response = api.patch(url_of(second["pk"]), {"line": body["line"]}, format="json")

    assert response.status_code == 400
    assert response.json()["non_field_errors"][0].startswith(f"hash_data:{first['hash_data']} ")
    assert api.get(url_of(second["pk"])).json()["line"] == "Bağdat Cad. 2"


# Audit records


def test_writes_are_audited_with_the_api_user(api, user, body):
    pk = api.post(URL, body, format="json").json()["pk"]
    api.patch(url_of(pk), {"notes": "Office hours"}, format="json")
    api.patch(url_of(pk), {"notes": "Office hours"}, format="json")  # changes nothing
    api.delete(url_of(pk))

    events = list(events_of(pk).order_by("id"))
    assert [e.action for e in events] == [Action.CREATE, Action.UPDATE, Action.DELETE]
    assert {(e.source, e.actor_id) for e in events} == {(Source.API, user.pk)}
    assert events[0].changes["line"] == [None, body["line"]]
    assert events[0].changes["city"] == [None, body["city"]]
    assert events[1].changes == {"notes": ["Ring twice", "Office hours"]}
    assert events[2].changes["customer"] == [body["customer"], None]


def test_deleting_a_customer_deletes_its_addresses_each_audited(api, user, body, customer):
    first = api.post(URL, body, format="json").json()["pk"]
    second = api.post(URL, {**body, "line": "Bağdat Cad. 2"}, format="json").json()["pk"]

    response = api.delete(f"/api/v1/customers/{customer.pk}/")

    assert response.status_code == 204
    assert not Address.objects.filter(pk__in=[first, second]).exists()
    for pk in (first, second):
        (deleted,) = events_of(pk, Action.DELETE)
        assert (deleted.source, deleted.actor_id) == (Source.API, user.pk)
        assert deleted.changes["customer"] == [customer.pk, None]
    assert events_of(second, Action.DELETE).get().changes["line"] == ["Bağdat Cad. 2", None]


def test_a_content_change_records_the_new_digest(api, body):
    created = api.post(URL, body, format="json").json()
    patched = api.patch(url_of(created["pk"]), {"line": "Bağdat Cad. 2"}, format="json").json()

    event = events_of(created["pk"], Action.UPDATE).get()
    assert event.changes == {
        "line": [body["line"], "Bağdat Cad. 2"],
        "hash_data": [created["hash_data"], patched["hash_data"]],
    }


# Permissions


def test_without_a_token_it_is_a_401(body):
    client = Client()

    assert client.get(URL).status_code == 401
    assert client.post(URL, body, content_type="application/json").status_code == 401


def test_without_the_model_permissions_it_is_a_403(no_permission_api, read_only_api, body):
    assert no_permission_api.get(URL).status_code == 403
    assert read_only_api.get(URL).status_code == 200
    assert read_only_api.post(URL, body, format="json").status_code == 403
    assert not Address.objects.exists()


def test_each_verb_needs_its_permission(body):
    user = make_user("clerk", permissions=False)
    client = client_for(user)
    grant(user, "addresses.view_address", "addresses.add_address")
    pk = client.post(URL, body, format="json").json()["pk"]

    assert client.patch(url_of(pk), {"title": "x"}, format="json").status_code == 403
    assert client.delete(url_of(pk)).status_code == 403


# The channel route


def test_the_channel_route_serves_its_customers_addresses(api, body, channel, other_channel):
    own = api.post(URL, body, format="json").json()
    stranger = CustomerFactory(channel=other_channel)
    foreign = api.post(URL, {**body, "customer": stranger.pk}, format="json").json()
    channel_url = f"/api/v1/channel/{channel.pk}/addresses/"

    listed = api.get(channel_url).json()
    assert [row["pk"] for row in listed["results"]] == [own["pk"]]
    assert api.get(f"{channel_url}{own['pk']}/").json() == own
    assert api.get(f"{channel_url}{foreign['pk']}/").status_code == 404
    assert api.patch(f"{channel_url}{foreign['pk']}/", {"title": "x"}, "json").status_code == 404
    assert api.delete(f"{channel_url}{foreign['pk']}/").status_code == 404
    assert Address.objects.filter(pk=foreign["pk"]).exists()


def test_the_channel_route_creates_for_its_customers_only(api, body, channel, other_channel):
    stranger = CustomerFactory(channel=other_channel)
    channel_url = f"/api/v1/channel/{channel.pk}/addresses/"

    refused = api.post(channel_url, {**body, "customer": stranger.pk}, format="json")
    created = api.post(channel_url, body, format="json")

    assert refused.status_code == 400
    assert list(refused.json()) == ["customer"]
    assert created.status_code == 201
    assert Address.objects.get().customer_id == body["customer"]


def test_the_channel_route_of_no_channel_is_a_404(api):
    assert api.get("/api/v1/channel/999999/addresses/").status_code == 404
    assert api.get("/api/v1/channel/٣/addresses/").status_code == 404


# Conditional requests and retries


def test_etag_if_none_match_and_if_match(api, body):
    created = api.post(URL, body, format="json")
    pk, tag = created.json()["pk"], created["ETag"]

    assert api.get(url_of(pk), HTTP_IF_NONE_MATCH=tag).status_code == 304
    patched = api.patch(url_of(pk), {"title": "Office"}, format="json", HTTP_IF_MATCH=tag)
    assert patched.status_code == 200
    assert patched["ETag"] != tag

    stale = api.patch(url_of(pk), {"title": "Shop"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale["ETag"] == patched["ETag"]
    assert api.delete(url_of(pk), HTTP_IF_MATCH=STALE).status_code == 412
    assert Address.objects.get(pk=pk).title == "Office"
    assert events_of(pk, Action.UPDATE).count() == 1


def test_a_patch_that_changes_nothing_keeps_the_tag(api, body):
    created = api.post(URL, body, format="json")

    patched = api.patch(url_of(created.json()["pk"]), {"title": "Home"}, format="json")

    assert patched["ETag"] == created["ETag"]
    assert patched.json()["modified_date"] == created.json()["modified_date"]


def test_a_retried_post_with_its_key_replays_the_answer(api, body):
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="address-1")
    retry = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="address-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Address.objects.count() == 1
    other = api.post(URL, {**body, "line": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="address-1")
    assert other.status_code == 422


# Lists


def test_list_queries_do_not_grow_with_the_page(api, customer, places, django_assert_num_queries):
    for number in range(12):
        create_address(customer, places["TR"], places["İstanbul"], line=f"Line {number}")

    for limit in (1, 12):
        # The token and its user's permissions, the count, the page.
        with django_assert_num_queries(3):
            response = api.get(URL, {"limit": limit})
        assert len(response.json()["results"]) == limit


def test_list_is_newest_first(api, customer, places):
    first = create_address(customer, places["TR"], places["İstanbul"], line="One")
    second = create_address(customer, places["TR"], places["İstanbul"], line="Two")

    rows = api.get(URL).json()["results"]

    assert [row["pk"] for row in rows] == [second.pk, first.pk]
