"""AddressService: its writes, audit records, digests, the bulk path, and concurrency."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from addresses.exceptions import AddressDuplicated, AddressFieldError
from addresses.field_sets import address_digest, digest_of
from addresses.models import Address
from addresses.services import AddressService, clean_address_record
from audit.context import AuditContext
from audit.models import Action, AuditEvent, Source
from locations.models import City, Country, District, Township
from omnitron.conditional import PreconditionFailed, entity_tag
from tests.conftest import client_for, make_user
from tests.factories import ChannelFactory, CustomerFactory, create_address, create_customers
from tests.test_concurrency import THREADS, run_together

IMPORT = AuditContext(source=Source.IMPORT, request_id="import-1")


@pytest.fixture
def places(tr_locations):
    return {
        "TR": Country.objects.get(code="TR"),
        "İstanbul": City.objects.get(name="İstanbul"),
        "Kadıköy": Township.objects.get(name="Kadıköy"),
        "Caferağa": District.objects.get(name="Caferağa"),
    }


@pytest.fixture
def customer(channel):
    return CustomerFactory(channel=channel)


def events_of(address_id, action=None):
    events = AuditEvent.objects.filter(content_type__model="address", object_id=address_id)
    return events.filter(action=action) if action else events


def record(customer_id: int, places, **fields) -> dict:
    return {
        "customer_id": customer_id,
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "country_id": places["TR"].pk,
        "city_id": places["İstanbul"].pk,
        "township_id": places["Kadıköy"].pk,
        "district_id": places["Caferağa"].pk,
        "line": "Moda Cad. 1",
        **fields,
    }


# The digest


def test_the_digest_is_of_the_customer_and_the_content_folded():
    base = {"customer_id": 1, "line": "İSTİKLAL CAD.", "first_name": "IŞIK", "city_id": 3}

    assert address_digest(base) == address_digest(
        {**base, "line": "  istiklal   cad. ", "first_name": "ışık"}
    )
    assert address_digest(base) == address_digest({**base, "postcode": "", "title": None})
    assert address_digest(base) != address_digest({**base, "customer_id": 2})
    assert address_digest(base) != address_digest({**base, "city_id": 4})
    assert address_digest(base) != address_digest({**base, "line": "İstiklal Cad. 2"})
    assert address_digest(base) == address_digest({**base, "notes": "x", "remote_id": "y"})


@pytest.mark.django_db
def test_the_stored_digest_is_the_digest_of_the_stored_address(customer, places):
    address = create_address(customer, places["TR"], places["İstanbul"], title="Ev")

    assert Address.objects.get(pk=address.pk).hash_data == digest_of(address)


# Single writes


@pytest.mark.django_db
def test_create_records_every_field(customer, places):
    address = create_address(customer, places["TR"], places["İstanbul"], postcode=None)

    event = events_of(address.pk).get()
    assert event.action == Action.CREATE
    assert event.changes["customer"] == [None, customer.pk]
    assert event.changes["postcode"] == [None, None]
    assert event.changes["hash_data"] == [None, address.hash_data]
    assert "version" not in event.changes


@pytest.mark.django_db
def test_a_duplicate_create_writes_nothing(customer, places):
    first = create_address(customer, places["TR"], places["İstanbul"])

    with pytest.raises(AddressDuplicated) as raised:
        create_address(customer, places["TR"], places["İstanbul"], line=" MODA CAD. 1 ")

    assert raised.value.digest == first.hash_data
    assert raised.value.body()["non_field_errors"][0].startswith(f"hash_data:{first.hash_data} ")
    assert Address.objects.count() == 1
    assert AuditEvent.objects.filter(content_type__model="address").count() == 1


@pytest.mark.django_db
def test_update_changes_version_and_records_only_changes(customer, places):
    address = create_address(customer, places["TR"], places["İstanbul"])

    same = AddressService.update_address(address=address, line="Moda Cad. 1", notes=None)
    assert same.version == 1
    updated = AddressService.update_address(address=address, notes="Ring", is_active=False)

    assert updated.version == 2
    assert events_of(address.pk, Action.UPDATE).get().changes == {
        "is_active": [True, False],
        "notes": [None, "Ring"],
    }
    assert updated.hash_data == address.hash_data


@pytest.mark.django_db
def test_update_with_a_stale_tag_writes_nothing(customer, places):
    address = create_address(customer, places["TR"], places["İstanbul"])
    tag = entity_tag(address)
    AddressService.update_address(address=address, notes="first")

    with pytest.raises(PreconditionFailed):
        AddressService.update_address(address=address, if_match=[tag], notes="second")
    with pytest.raises(PreconditionFailed):
        AddressService.delete_address(address=address, if_match=[tag])

    assert Address.objects.get(pk=address.pk).notes == "first"


@pytest.mark.django_db
def test_update_refuses_a_location_outside_its_parent(customer, places):
    address = create_address(customer, places["TR"], places["İstanbul"], township=places["Kadıköy"])
    ankara = City.objects.get(name="Ankara")

    with pytest.raises(AddressFieldError) as raised:
        AddressService.update_address(address=address, city=ankara)

    assert raised.value.message_dict == {"township": ["This township is not in the given city."]}


@pytest.mark.django_db
def test_delete_records_every_last_value(customer, places):
    address = create_address(customer, places["TR"], places["İstanbul"])

    AddressService.delete_address(address=address)

    event = events_of(address.pk, Action.DELETE).get()
    assert event.changes["line"] == ["Moda Cad. 1", None]
    assert not Address.objects.exists()


# The bulk path (the order import)


@pytest.mark.django_db
def test_bulk_creates_the_missing_and_reuses_the_known(channel, places):
    customers = create_customers(channel, 3)
    known = create_address(
        customers[0],
        places["TR"],
        places["İstanbul"],
        township=places["Kadıköy"],
        district=places["Caferağa"],
    )
    records = [
        record(customers[0].pk, places, line="MODA CAD. 1", notes="new notes"),  # known
        record(customers[1].pk, places),  # new
        record(customers[1].pk, places, line=" moda cad. 1"),  # the same new one
        record(customers[2].pk, places, postcode="34710", remote_id="R-9"),  # new
    ]

    ids = AddressService.upsert_addresses(records, audit_context=IMPORT)

    assert ids[0] == known.pk
    assert ids[1] == ids[2] != ids[3]
    assert Address.objects.count() == 3
    new = Address.objects.get(pk=ids[3])
    assert (new.customer_id, new.postcode, new.remote_id) == (customers[2].pk, "34710", "R-9")
    assert new.hash_data == digest_of(new)
    assert Address.objects.get(pk=known.pk).notes is None
    created = AuditEvent.objects.filter(source=Source.IMPORT, content_type__model="address")
    assert sorted(created.values_list("object_id", flat=True)) == sorted({ids[1], ids[3]})
    assert created.get(object_id=ids[3]).changes["remote_id"] == [None, "R-9"]


@pytest.mark.django_db
def test_bulk_a_second_time_creates_nothing(channel, places):
    customers = create_customers(channel, 4)
    records = [record(c.pk, places) for c in customers]
    first = AddressService.upsert_addresses(records, audit_context=IMPORT)
    events = AuditEvent.objects.count()

    assert AddressService.upsert_addresses(records, audit_context=IMPORT) == first
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_bulk_address_is_the_one_create_address_makes(channel, places):
    """The same digest and the same create record, whatever the record leaves to the defaults."""
    customers = create_customers(channel, 2)
    fields = {"postcode": "34710", "e_bill_taxpayer": True, "extra_field": {"floor": 3}}
    for given in ({}, fields):
        made = create_address(customers[0], places["TR"], places["İstanbul"], **given)
        bulk_id = AddressService.upsert_addresses(
            [record(customers[1].pk, places, township_id=None, district_id=None, **given)],
            audit_context=IMPORT,
        )[0]
        bulk = Address.objects.get(pk=bulk_id)

        assert bulk.hash_data == digest_of(bulk)
        assert bulk.hash_data == address_digest(
            {**record(customers[1].pk, places, township_id=None, district_id=None), **given}
            | {"e_bill_taxpayer": given.get("e_bill_taxpayer", False), "address_type": "customer"}
        )
        made_record, bulk_record = (events_of(a.pk, Action.CREATE).get() for a in (made, bulk))
        assert bulk_record.object_repr == made_record.object_repr == str(bulk)
        skipped = {"customer", "hash_data"}
        assert {k: v for k, v in bulk_record.changes.items() if k not in skipped} == {
            k: v for k, v in made_record.changes.items() if k not in skipped
        }
        assert bulk_record.changes["hash_data"] == [None, bulk.hash_data]
        Address.objects.all().delete()


def queries_of_bulk(records) -> int:
    with CaptureQueriesContext(connection) as queries:
        AddressService.upsert_addresses(records, audit_context=IMPORT)
    return len(queries)


@pytest.mark.django_db
def test_bulk_reuse_costs_the_same_queries_whatever_the_batch_size(channel, places):
    customers = create_customers(channel, 40)
    small = [record(c.pk, places) for c in customers[:3]]
    large = [record(c.pk, places) for c in customers]
    AddressService.upsert_addresses(large, audit_context=IMPORT)

    assert queries_of_bulk(small) == queries_of_bulk(large) == 1


@pytest.mark.django_db
def test_bulk_creation_costs_the_same_queries_whatever_the_batch_size(channel, places):
    customers = create_customers(channel, 43)
    small = [record(c.pk, places) for c in customers[:3]]
    large = [record(c.pk, places) for c in customers[3:]]

    assert queries_of_bulk(small) == queries_of_bulk(large)


@pytest.mark.django_db
def test_bulk_refuses_an_unknown_key(channel, places, customer):
    with pytest.raises(TypeError):
        AddressService.upsert_addresses([record(customer.pk, places, city=1)])


@pytest.mark.django_db
def test_a_bulk_record_is_checked_like_a_create(customer, places):
    assert clean_address_record(record(customer.pk, places)) == record(customer.pk, places)

    with pytest.raises(ValidationError) as raised:
        clean_address_record(record(customer.pk, places, line="", tax_no="1" * 21))

    assert set(raised.value.message_dict) == {"line", "tax_no"}


# Concurrency on PostgreSQL


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_of_one_address_make_one(tr_locations):
    customer = CustomerFactory(channel=ChannelFactory())
    user = make_user("racer")
    body = {
        "customer": customer.pk,
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "country": Country.objects.get(code="TR").pk,
        "city": City.objects.get(name="İstanbul").pk,
        "line": "Moda Cad. 1",
    }
    clients = [client_for(user) for _ in range(THREADS)]

    responses = run_together(
        [(lambda c=c: c.post("/api/v1/addresses/", body, format="json")) for c in clients]
    )

    assert sorted(r.status_code for r in responses) == [201] + [400] * (THREADS - 1)
    stored = Address.objects.get()
    for response in responses:
        if response.status_code == 400:
            assert response.json()["error_code"] == "address_duplicated"
            message = response.json()["non_field_errors"][0]
            assert message.startswith(f"hash_data:{stored.hash_data} ")
    assert events_of(stored.pk).count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_calls_share_their_addresses(tr_locations):
    channel = ChannelFactory()
    with transaction.atomic():
        customers = create_customers(channel, 20)
    places = {
        "TR": Country.objects.get(code="TR"),
        "İstanbul": City.objects.get(name="İstanbul"),
        "Kadıköy": Township.objects.get(name="Kadıköy"),
        "Caferağa": District.objects.get(name="Caferağa"),
    }
    records = [record(c.pk, places) for c in customers]

    results = run_together(
        [(lambda: AddressService.upsert_addresses(records, audit_context=IMPORT)) for _ in range(4)]
    )

    assert results[0] is not None
    assert all(result == results[0] for result in results)
    assert Address.objects.count() == 20
    created = AuditEvent.objects.filter(content_type__model="address", action=Action.CREATE)
    assert created.count() == 20
