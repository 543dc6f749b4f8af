"""Concurrent writes on PostgreSQL: row locks keep every field, the constraint stops duplicates."""

import io
import json
import threading
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection

from addresses.models import Address
from audit.models import Action, AuditEvent
from customers.models import Customer
from customers.services import CustomerService
from customers.views import CustomerViewSet
from orders.models import Order
from tests.conftest import client_for, make_user
from tests.factories import ChannelFactory, CustomerFactory
from tests.order_files import OrderFileGenerator
from tests.test_import_orders import (
    assert_audit_trail_leads_to_the_stored_customers,
    assert_customers_carry_their_newest_orders,
    end_state,
    overlapping_files,
    run_import,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 8


def run_together(requests):
    """Run each callable in its own thread, released at once; return their results in order."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def worker(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_patches_of_different_fields_all_survive():
    channel = ChannelFactory()
    customer = CustomerFactory(channel=channel)
    user = make_user("racer")
    url = f"/api/v1/customers/{customer.pk}/"
    fields = [
        ("first_name", "Fatma"),
        ("last_name", "Demir"),
        ("phone_number", "05551112233"),
        ("erp_code", "ERP-1"),
        ("sms_allowed", True),
        ("email_allowed", True),
        ("call_allowed", True),
        ("is_active", True),
    ]
    clients = [client_for(user) for _ in fields]

    responses = run_together(
        [
            (lambda c=c, f=f, v=v: c.patch(url, {f: v}, format="json"))
            for c, (f, v) in zip(clients, fields, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [200] * len(fields)
    stored = Customer.objects.get(pk=customer.pk)
    assert {f: getattr(stored, f) for f, _ in fields} == dict(fields)
    updates = AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE)
    assert sorted(next(iter(e.changes)) for e in updates) == sorted(f for f, _ in fields)


def test_concurrent_posts_of_one_channel_code_create_one_customer():
    channel = ChannelFactory()
    user = make_user("racer")
    body = {"email": "a@example.com", "channel": channel.pk, "channel_code": "SAME"}
    clients = [client_for(user) for _ in range(THREADS)]

    responses = run_together(
        [(lambda c=c: c.post("/api/v1/customers/", body, format="json")) for c in clients]
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [400] * (THREADS - 1)
    for response in responses:
        if response.status_code == 400:
            assert response.json() == {
                "non_field_errors": ["The fields channel, channel_code must make a unique set."]
            }
    assert Customer.objects.filter(channel=channel, channel_code="SAME").count() == 1
    assert (
        AuditEvent.objects.filter(
            action=Action.CREATE, changes__channel_code=[None, "SAME"]
        ).count()
        == 1
    )


def test_concurrent_patches_of_one_field_leave_a_consistent_history():
    """The row lock serialises the updates: each record's old value is the previous new one."""
    channel = ChannelFactory()
    customer = CustomerFactory(channel=channel, first_name="start")
    user = make_user("racer")
    url = f"/api/v1/customers/{customer.pk}/"
    names = [f"name-{i}" for i in range(THREADS)]
    clients = [client_for(user) for _ in names]

    responses = run_together(
        [
            (lambda c=c, n=n: c.patch(url, {"first_name": n}, format="json"))
            for c, n in zip(clients, names, strict=True)
        ]
    )

    assert [r.status_code for r in responses] == [200] * THREADS
    history = [
        e.changes["first_name"]
        for e in AuditEvent.objects.filter(object_id=customer.pk, action=Action.UPDATE).order_by(
            "id"
        )
    ]
    assert len(history) == THREADS
    assert history[0][0] == "start"
    assert all(prev[1] == cur[0] for prev, cur in pairwise(history))
    assert Customer.objects.get(pk=customer.pk).first_name == history[-1][1]


def test_two_imports_of_overlapping_files_make_no_duplicate(tmp_path, tr_locations):
    """Both halves share a third of their orders and most of their customers."""
    channel = ChannelFactory()
    lines = list(OrderFileGenerator(900, 150, seed=3, bad_rate=0, resend_rate=0).lines())
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(lines[:600]) + "\n")
    second.write_text("\n".join(lines[300:]) + "\n")
    errors = []

    def run(path):
        def target():
            try:
                call_command(
                    "import_orders",
                    "--channel",
                    str(channel.pk),
                    str(path),
                    "--batch-size",
                    "50",
                    stdout=io.StringIO(),
                )
            except Exception as error:  # reported below, with the other thread's
                errors.append(error)

        return target

    run_together([run(first), run(second)])

    assert errors == []
    orders = [json.loads(line)["order"] for line in lines]
    numbers = [order["number"] for order in orders]
    codes = {order["customer"]["channel_code"] for order in orders}
    assert sorted(Order.objects.values_list("number", flat=True)) == sorted(numbers)
    assert Customer.objects.filter(channel=channel).count() == len(codes)
    created = AuditEvent.objects.filter(action=Action.CREATE, content_type__model="order")
    assert created.count() == len(numbers)
    # Addresses are reused by digest across the runs: one row per customer's address.
    addresses = {
        (order["customer"]["channel_code"], json.dumps(order[key], sort_keys=True))
        for order in orders
        for key in ("shipping_address", "billing_address")
    }
    assert Address.objects.filter(customer__channel=channel).count() == len(addresses)


def test_concurrent_posts_of_one_order_make_one_order():
    channel = ChannelFactory()
    user = make_user("racer")
    body = {
        "order": {
            "number": "MP-1",
            "amount": "10.00",
            "customer": {"channel_code": "C-1", "email": "a@example.com"},
        },
        "order_item": [{"product": "SKU-1", "price": "10.00"}],
    }
    url = f"/api/v1/channel/{channel.pk}/create_orders/"
    clients = [client_for(user) for _ in range(THREADS)]

    responses = run_together([(lambda c=c: c.post(url, body, format="json")) for c in clients])

    assert sorted(r.status_code for r in responses) == [201] + [400] * (THREADS - 1)
    for response in responses:
        if response.status_code == 400:
            assert list(response.json()) == ["order.number"]
    assert Order.objects.filter(channel=channel, number="MP-1").count() == 1
    assert Customer.objects.filter(channel=channel).count() == 1
    assert AuditEvent.objects.filter(content_type__model="order").count() == 1


def delete_in_another_connection(customer_pk: int) -> None:
    """Delete the customer in a transaction of another connection, committed on return."""

    def delete():
        try:
            CustomerService.delete_customer(customer=Customer.objects.get(pk=customer_pk))
        finally:
            connection.close()

    thread = threading.Thread(target=delete)
    thread.start()
    thread.join(timeout=60)


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_a_write_of_a_customer_deleted_after_it_was_read_is_a_404(monkeypatch, method):
    """The view has read the customer; another request deletes it before the service locks it."""
    channel = ChannelFactory()
    customer = CustomerFactory(channel=channel)
    client = client_for(make_user("racer"))
    client.raise_request_exception = False
    read_customer = CustomerViewSet.get_object

    def read_then_lose_the_race(view):
        found = read_customer(view)
        delete_in_another_connection(found.pk)
        return found

    monkeypatch.setattr(CustomerViewSet, "get_object", read_then_lose_the_race)
    body = {"email": "new@example.com", "channel": channel.pk, "channel_code": "NEW"}

    response = getattr(client, method)(f"/api/v1/customers/{customer.pk}/", body, format="json")

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found."}
    assert not Customer.objects.filter(pk=customer.pk).exists()
    actions = AuditEvent.objects.filter(object_id=customer.pk).order_by("id")
    assert list(actions.values_list("action", flat=True)) == [Action.CREATE, Action.DELETE]


def test_patches_and_deletes_racing_on_one_customer_answer_no_500():
    customer = CustomerFactory(channel=ChannelFactory())
    user = make_user("racer")
    url = f"/api/v1/customers/{customer.pk}/"
    clients = [client_for(user) for _ in range(THREADS)]
    for client in clients:
        client.raise_request_exception = False
    requests = [
        (lambda c=c: c.delete(url))
        if index % 2
        else (lambda c=c, i=index: c.patch(url, {"first_name": f"Racer {i}"}, format="json"))
        for index, c in enumerate(clients)
    ]

    responses = run_together(requests)

    deletes = [r.status_code for r in responses[1::2]]
    patches = [r.status_code for r in responses[::2]]
    assert sorted(deletes) == [204] + [404] * (len(deletes) - 1), deletes
    assert set(patches) <= {200, 404}, patches
    for response in responses:
        if response.status_code == 404:
            assert response.json() == {"detail": "Not found."}
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert AuditEvent.objects.filter(object_id=customer.pk, action=Action.DELETE).count() == 1


def test_overlapping_imports_at_once_end_as_one_run(tmp_path, tr_locations):
    """Two halves of one file, sharing a third: customers end with their newest orders' data."""
    lines, whole, head, tail = overlapping_files(tmp_path)
    one_run = ChannelFactory(name="one run")
    run_import(one_run, whole, "--batch-size", "10")
    halves = ChannelFactory(name="halves")
    errors = []

    def importing(path):
        def target():
            try:
                # Small batches in this process: the two runs take turns many times.
                run_import(halves, path, "--batch-size", "10", "--in-process")
            except Exception as error:  # reported below, with the other thread's
                errors.append(error)

        return target

    run_together([importing(head), importing(tail)])

    assert errors == []
    assert end_state(halves) == end_state(one_run)
    assert_customers_carry_their_newest_orders(halves, lines)
    assert_audit_trail_leads_to_the_stored_customers(halves)
