"""`manage.py import_orders`: upserted customers, created orders, rejects, reruns and totals."""

import io
import json
import os
import threading
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from addresses.models import Address
from audit.models import Action, AuditEvent, Source
from customers.models import Customer
from locations.models import City
from omnitron.bulk_insert import bulk_insert_values
from orders.models import Order, OrderItem
from orders.order_lines import MAX_ORDER_ITEMS
from tests.factories import ChannelFactory, CustomerFactory
from tests.order_files import OrderFileGenerator, newest_customer_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def places(tr_locations):
    """The generated files ship to the places of the Turkish set."""


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def generated_file(tmp_path: Path, orders=600, customers=200, **rates):
    generator = OrderFileGenerator(orders, customers, seed=7, **rates)
    lines = list(generator.lines())
    return write_lines(tmp_path / "orders.jsonl", lines), generator.stats


def run_import(channel, path, *extra) -> str:
    out = io.StringIO()
    call_command("import_orders", "--channel", str(channel.pk), str(path), *extra, stdout=out)
    return out.getvalue()


def order_line(number="ORD-1", code="C-1", **changes) -> str:
    """A line of the marketplace's shape; `order_item` replaces the items, the rest
    of `changes` goes into the order (`customer` into its customer)."""
    customer = {
        "channel_code": code,
        "email": f"{code.lower()}@example.com",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        **changes.pop("customer", {}),
    }
    unit = {"product": "SKU-1", "price": "55.00"}
    items = changes.pop("order_item", [unit, unit])
    order = {
        "number": number,
        "amount": "100.00",
        "discount_amount": "10.00",
        "refund_amount": "0.00",
        "created_at": "2026-03-01T10:00:00Z",
        "customer": customer,
        **changes,
    }
    return json.dumps({"order": order, "order_item": items}, ensure_ascii=False)


# Audit changes naming a row by its key (a digest covers the customer's key).
KEYS_OF_ROWS = ("channel", "customer", "hash_data", "shipping_address", "billing_address")


def database_state(channel) -> dict:
    """What an import leaves in a channel, without ids and timestamps."""
    customer_fields = ["channel_code", "email", "first_name", "last_name", "phone_number"]
    return {
        "customers": sorted(
            (*values[:-1], json.dumps(values[-1], sort_keys=True))
            for values in Customer.objects.filter(channel=channel).values_list(
                *customer_fields, "extra_field"
            )
        ),
        "orders": sorted(
            Order.objects.filter(channel=channel).values_list(
                "number", "customer__channel_code", "amount", "refund_amount"
            )
        ),
        "items": OrderItem.objects.filter(order__channel=channel).count(),
        "addresses": sorted(
            Address.objects.filter(customer__channel=channel).values_list(
                "customer__channel_code", "city__name", "township__name", "line"
            )
        ),
        # Every record, with the changes that do not name a primary key.
        "audit": sorted(
            (
                model,
                action,
                repr_,
                source,
                json.dumps({k: v for k, v in changes.items() if k not in KEYS_OF_ROWS}),
            )
            for model, action, repr_, source, changes in AuditEvent.objects.filter(
                content_type__model__in=("customer", "order", "address")
            ).values_list("content_type__model", "action", "object_repr", "source", "changes")
        ),
    }


def test_generated_file_lands_exactly(tmp_path):
    channel = ChannelFactory()
    path, stats = generated_file(tmp_path)

    output = run_import(channel, path)

    assert Order.objects.filter(channel=channel).count() == stats.orders
    assert Customer.objects.filter(channel=channel).count() == stats.customers
    rejects = (tmp_path / "orders.jsonl.rejects.jsonl").read_text().splitlines()
    assert len(rejects) == stats.bad_lines > 0
    events = AuditEvent.objects.filter(source=Source.IMPORT)
    assert events.filter(content_type__model="order", action=Action.CREATE).count() == stats.orders
    assert events.filter(content_type__model="customer", action=Action.CREATE).count() == (
        stats.customers
    )
    assert events.filter(content_type__model="customer", action=Action.UPDATE).count() == (
        stats.customer_changes
    )
    assert f"{stats.orders} created, {stats.resent_lines} already present" in output
    assert f"{stats.bad_lines} rejected" in output
    assert "orders/s" in output


def test_items_and_amounts_are_stored_as_sent(tmp_path):
    channel = ChannelFactory()
    run_import(channel, write_lines(tmp_path / "f.jsonl", [order_line()]))

    order = Order.objects.get()
    assert (order.number, order.amount, order.discount_amount) == (
        "ORD-1",
        Decimal("100.00"),
        Decimal("10.00"),
    )
    assert order.ordered_at.isoformat() == "2026-03-01T10:00:00+00:00"
    assert order.raw_payload["order"]["customer"]["channel_code"] == "C-1"
    assert list(order.items.values_list("product_sku", "quantity", "price")) == [
        ("SKU-1", 1, Decimal("55.00")),
        ("SKU-1", 1, Decimal("55.00")),
    ]
    customer = order.customer
    assert (customer.channel, customer.channel_code, customer.first_name) == (
        channel,
        "C-1",
        "Ayşe",
    )


def test_text_with_copy_escapes_and_non_ascii_is_stored_exactly(tmp_path):
    """Backslashes, tabs and line breaks are COPY's escapes on PostgreSQL: stored as sent."""
    name = "Şule\\t\\N \\ back\tslash\r\nnext"
    line = order_line(customer={"last_name": name, "attributes": {"note": name}}, note=name)
    channel = ChannelFactory()

    run_import(channel, write_lines(tmp_path / "f.jsonl", [line]))

    order = Order.objects.select_related("customer").get()
    assert order.customer.last_name == name
    assert order.customer.attributes == {"note": name}
    assert order.raw_payload["order"]["note"] == name
    event = AuditEvent.objects.get(object_id=order.customer.pk, content_type__model="customer")
    assert event.changes["last_name"] == [None, name]


def test_parsing_here_or_in_a_worker_lands_the_same(tmp_path):
    path, _ = generated_file(tmp_path, orders=200, customers=50)
    here, worker = ChannelFactory(name="here"), ChannelFactory(name="worker")
    run_import(here, path, "--in-process", "--batch-size", "30")
    in_process = database_state(here)
    AuditEvent.objects.all().delete()

    run_import(worker, path, "--batch-size", "30")

    assert database_state(worker) == in_process


def test_second_run_changes_nothing_and_reports_every_order_present(tmp_path):
    channel = ChannelFactory()
    path, stats = generated_file(tmp_path)
    run_import(channel, path)
    before = database_state(channel)
    audit_rows = AuditEvent.objects.count()

    output = run_import(channel, path)

    assert database_state(channel) == before
    assert AuditEvent.objects.count() == audit_rows
    present = stats.orders + stats.resent_lines
    assert f"0 created, {present} already present, {stats.bad_lines} rejected" in output
    assert "customers: 0 created, 0 updated, 0 unchanged" in output


def test_a_run_stopped_half_way_and_run_again_ends_as_one_run(tmp_path):
    path, _ = generated_file(tmp_path)
    whole = ChannelFactory(name="whole")
    run_import(whole, path, "--batch-size", "50", "--in-process")
    expected = database_state(whole)
    AuditEvent.objects.all().delete()
    Order.objects.all().delete()
    Customer.objects.all().delete()

    stopped = ChannelFactory(name="stopped")
    item_batches = []

    def crash_on_the_fifth_batch(model, rows, *args, **kwargs):
        if model is OrderItem:
            item_batches.append(rows)
            if len(item_batches) == 5:
                # As if killed between two writes of a batch: its orders are in.
                raise KeyboardInterrupt
        return bulk_insert_values(model, rows, *args, **kwargs)

    with (
        mock.patch("orders.services.bulk_insert_values", crash_on_the_fifth_batch),
        pytest.raises(KeyboardInterrupt),
    ):
        run_import(stopped, path, "--batch-size", "50", "--in-process")
    landed = Order.objects.filter(channel=stopped)
    assert 0 < landed.count() < len(expected["orders"])
    assert not landed.filter(items__isnull=True).exists()  # no half-written batch

    run_import(stopped, path, "--batch-size", "50")

    assert database_state(stopped) == expected


def test_bad_lines_are_rejected_with_line_number_and_reason_and_good_ones_land(tmp_path):
    channel = ChannelFactory()
    lines = [
        order_line("ORD-1"),
        "{not json",
        order_line("ORD-2", customer={"email": "not-an-email"}),
        json.dumps(
            {"order": {"amount": "1.00", "customer": {"channel_code": "C-9", "email": "a@b.co"}}}
        ),
        order_line("ORD-3", customer={"channel_code": 7}),
        order_line("ORD-4", amount="12.345"),
        order_line("ORD-5", order_item=[{"product": "S", "price": "-1"}]),
        order_line("ORD-6", customer={"first_name": "A\u0000"}),
        order_line("ORD-7", customer={"is_active": "yes"}),
        "[1, 2]",
        order_line("ORD-8", amount=float("nan")),
        order_line("ORD-9", code="C-2"),
    ]
    path = write_lines(tmp_path / "f.jsonl", lines)
    rejects = tmp_path / "bad.jsonl"

    output = run_import(channel, path, "--rejects", str(rejects))

    assert sorted(Order.objects.values_list("number", flat=True)) == ["ORD-1", "ORD-9"]
    reported = {r["line"]: r for r in map(json.loads, rejects.read_text().splitlines())}
    assert {line: set(r["errors"]) for line, r in reported.items()} == {
        2: {"line"},
        3: {"order.customer.email"},
        4: {"order.number"},
        5: {"order.customer.channel_code"},
        6: {"order.amount"},
        7: {"order_item[0].price"},
        8: {"order.customer.first_name"},
        9: {"order.customer.is_active"},
        10: {"line"},
        11: {"line"},
    }
    assert reported[3]["reason"] == "order.customer.email: Enter a valid email address."
    assert reported[3]["text"] == lines[2]
    assert "10 rejected" in output
    assert str(rejects) in output


def test_lines_postgresql_cannot_store_are_rejected_not_a_crash(tmp_path):
    """Python's JSON reader takes lone surrogates and reads 1e999 as infinity: jsonb would not."""
    channel = ChannelFactory()

    def escaped(number, **changes) -> str:  # surrogates stay \\u escapes, as JSON spells them
        return json.dumps(json.loads(order_line(number, **changes)))

    lines = [
        escaped("ORD-1", customer={"first_name": "\ud800"}),
        escaped("ORD-2", note="\udc00"),  # a key the order keeps only in its raw payload
        order_line("ORD-3", customer={"attributes": {"tier": "INF"}}).replace('"INF"', "1e999"),
        order_line("ORD-4", amount="INF").replace('"INF"', "1e999"),
        escaped("ORD-5", customer={"first_name": "Ayşe \U0001f600"}),  # a surrogate pair
    ]
    path = write_lines(tmp_path / "f.jsonl", lines)
    with path.open("ab") as file:
        file.write(b'{"order": {"number": "ORD-6", "note": "\xed\xa0\x80"}}\n')  # not UTF-8
    rejects = tmp_path / "bad.jsonl"

    run_import(channel, path, "--rejects", str(rejects))

    reported = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert {r["line"]: set(r["errors"]) for r in reported} == {
        1: {"order.customer.first_name"},
        2: {"line"},
        3: {"line"},
        4: {"line"},
        6: {"line"},
    }
    assert reported[2]["reason"] == "line: Not JSON: 1e999 is out of range."
    assert [o.customer.first_name for o in Order.objects.all()] == ["Ayşe \U0001f600"]


def test_known_customer_gets_only_the_changed_fields(tmp_path):
    channel = ChannelFactory()
    customer = CustomerFactory(
        channel=channel, channel_code="C-1", first_name="Ali", last_name="Kaya", erp_code="ERP-1"
    )
    same = {"email": customer.email, "last_name": "Kaya"}
    line = order_line(customer={**same, "first_name": "Zeynep"})

    run_import(channel, write_lines(tmp_path / "f.jsonl", [line]))

    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Zeynep", "Kaya")
    assert customer.erp_code == "ERP-1"  # not in the file: left as it was
    update = AuditEvent.objects.get(action=Action.UPDATE, object_id=customer.pk)
    assert update.source == Source.IMPORT
    assert update.changes == {"first_name": ["Ali", "Zeynep"]}


def test_customer_changes_across_orders_are_applied_in_file_order(tmp_path):
    channel = ChannelFactory()
    lines = [
        order_line("ORD-1", customer={"last_name": "Kaya"}),
        order_line("ORD-2", customer={"last_name": "Demir"}),
        order_line("ORD-3", customer={"last_name": "Demir"}),
    ]

    output = run_import(channel, write_lines(tmp_path / "f.jsonl", lines))

    customer = Customer.objects.get()
    assert customer.last_name == "Demir"
    changes = list(
        AuditEvent.objects.filter(object_id=customer.pk, content_type__model="customer")
        .order_by("id")
        .values_list("action", "changes__last_name")
    )
    assert changes == [(Action.CREATE, [None, "Kaya"]), (Action.UPDATE, ["Kaya", "Demir"])]
    assert "customers: 1 created, 1 updated, 1 unchanged" in output


def test_email_identified_channel_finds_customers_by_email(tmp_path):
    channel = ChannelFactory(conf={"CUSTOMER_IDENTIFIER_FIELD": "email"})
    known = CustomerFactory(channel=channel, channel_code="OLD", email="ayse@example.com")
    CustomerFactory(channel=channel, channel_code="TAKEN", email="other@example.com")
    lines = [
        # Same email, another code: the known customer; its code stays.
        order_line("ORD-1", code="NEW", customer={"email": "ayse@example.com"}),
        # A new email whose code another customer has: refused, nothing written.
        order_line("ORD-2", code="TAKEN", customer={"email": "new@example.com"}),
        order_line("ORD-3", code="C-3", customer={"email": "third@example.com"}),
    ]
    path = write_lines(tmp_path / "f.jsonl", lines)

    output = run_import(channel, path)

    assert Order.objects.get(number="ORD-1").customer == known
    known.refresh_from_db()
    assert known.channel_code == "OLD"
    assert not Order.objects.filter(number="ORD-2").exists()
    assert Customer.objects.filter(channel=channel).count() == 3
    rejected = json.loads((tmp_path / "f.jsonl.rejects.jsonl").read_text())
    assert rejected["line"] == 2
    assert set(rejected["errors"]) == {"order.customer.channel_code"}
    assert "1 rejected" in output


def test_phone_identified_channel_requires_the_phone(tmp_path):
    channel = ChannelFactory(conf={"CUSTOMER_IDENTIFIER_FIELD": "phone_number"})
    lines = [
        order_line("ORD-1", customer={"phone_number": "+905551112233"}),
        order_line("ORD-2", code="C-2", customer={"phone_number": "+905551112233"}),
        order_line("ORD-3", code="C-3"),
    ]

    run_import(channel, write_lines(tmp_path / "f.jsonl", lines))

    assert Customer.objects.filter(channel=channel).count() == 1
    assert Order.objects.filter(customer__phone_number="+905551112233").count() == 2
    rejected = json.loads((tmp_path / "f.jsonl.rejects.jsonl").read_text())
    assert rejected["errors"] == {"order.customer.phone_number": ["This field is required."]}


def test_detailed_view_shows_totals_summed_over_the_file(api, tmp_path):
    channel = ChannelFactory()
    path, _ = generated_file(tmp_path, orders=300, customers=40)
    run_import(channel, path)
    expected: dict[str, dict] = {}
    for raw in path.read_text().splitlines():
        try:
            order = json.loads(raw)["order"]
            code = order["customer"]["channel_code"]
            number = order["number"]
        except (ValueError, KeyError):
            continue
        if not Order.objects.filter(number=number).exists():
            continue  # a rejected line
        expected.setdefault(code, {})[number] = order  # a resent order counts once
    customer = Customer.objects.get(channel=channel, channel_code=max(expected))
    orders = expected[customer.channel_code].values()

    info = api.get(f"/api/v1/customers/{customer.pk}/detailed/").json()["orders_info"]

    # The API sends the totals as JSON numbers.
    assert {key: Decimal(str(value)) for key, value in info.items()} == {
        "total_order_amount": sum(Decimal(o["amount"]) for o in orders),
        "total_refund_amount": sum(Decimal(o["refund_amount"]) for o in orders),
        "total_discount_amount": sum(Decimal(o["discount_amount"]) for o in orders),
        "total_order_count": len(orders),
    }


def test_reads_standard_input(tmp_path, monkeypatch):
    channel = ChannelFactory()
    monkeypatch.chdir(tmp_path)
    stdin = io.TextIOWrapper(io.BytesIO((order_line() + "\nnot json\n").encode()))
    monkeypatch.setattr("sys.stdin", stdin)

    output = run_import(channel, "-")

    assert Order.objects.count() == 1
    assert "1 rejected" in output
    assert (tmp_path / "import_orders.rejects.jsonl").read_text().count("\n") == 1


def test_unknown_channel_or_bad_conf_or_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No channel with id 999"):
        call_command("import_orders", "--channel", "999", str(tmp_path / "f.jsonl"))
    channel = ChannelFactory()
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(channel, tmp_path / "missing.jsonl")
    channel.conf = {"CUSTOMER_IDENTIFIER_FIELD": "erp_code"}
    channel.save()
    with pytest.raises(CommandError, match="CUSTOMER_IDENTIFIER_FIELD must be one of"):
        run_import(channel, write_lines(tmp_path / "f.jsonl", [order_line()]))


CUSTOMER_STATE_FIELDS = ("email", "first_name", "last_name", "phone_number", "extra_field")


def overlapping_files(tmp_path) -> tuple[list[str], Path, Path, Path]:
    """A file whose customers change often and whose dates are not in line order, its
    first two thirds and its last two thirds (as `head -n` and `tail -n +` cut it)."""
    generator = OrderFileGenerator(
        360, 40, seed=11, bad_rate=0, change_rate=0.4, shuffled_dates=True
    )
    lines = list(generator.lines())
    third = len(lines) // 3
    return (
        lines,
        write_lines(tmp_path / "whole.jsonl", lines),
        write_lines(tmp_path / "head.jsonl", lines[: 2 * third]),
        write_lines(tmp_path / "tail.jsonl", lines[third:]),
    )


def end_state(channel) -> dict:
    """Customers' fields, orders and their totals: what overlapping runs must agree on."""
    customers = Customer.objects.filter(channel=channel).order_by("channel_code")
    orders = Order.objects.filter(channel=channel)
    return {
        "customers": {
            code: dict(zip(CUSTOMER_STATE_FIELDS, values, strict=True))
            for code, *values in customers.values_list("channel_code", *CUSTOMER_STATE_FIELDS)
        },
        "orders": sorted(orders.values_list("number", "customer__channel_code", "amount")),
        "items": OrderItem.objects.filter(order__channel=channel).count(),
    }


def assert_audit_trail_leads_to_the_stored_customers(channel) -> None:
    """Each customer's records, replayed from its create, chain old to new and end as stored."""
    for customer in Customer.objects.filter(channel=channel):
        events = AuditEvent.objects.filter(
            content_type__model="customer", object_id=customer.pk
        ).order_by("id")
        replayed: dict = {}
        for event in events:
            for field, (old, new) in event.changes.items():
                if event.action == Action.UPDATE:
                    assert replayed[field] == old, (customer.channel_code, field)
                replayed[field] = new
        assert {f: replayed[f] for f in CUSTOMER_STATE_FIELDS} == {
            f: getattr(customer, f) for f in CUSTOMER_STATE_FIELDS
        }


def assert_customers_carry_their_newest_orders(channel, lines: list[str]) -> None:
    expected = newest_customer_data(lines)
    stored = end_state(channel)["customers"]
    assert {code: stored[code] for code in expected} == {
        code: {f: customer.get(f) for f in CUSTOMER_STATE_FIELDS}
        for code, customer in expected.items()
    }


def test_a_customer_ends_with_its_newest_orders_data_within_one_file(tmp_path):
    lines, whole, _, _ = overlapping_files(tmp_path)
    channel = ChannelFactory()

    run_import(channel, whole, "--batch-size", "50")

    assert_customers_carry_their_newest_orders(channel, lines)
    assert_audit_trail_leads_to_the_stored_customers(channel)


def test_older_orders_within_a_batch_do_not_overwrite_a_newer_ones_data(tmp_path):
    lines = [
        order_line("ORD-2", created_at="2026-03-05T10:00:00Z", customer={"last_name": "New"}),
        order_line("ORD-1", date_placed="2026-03-01T10:00:00Z", customer={"last_name": "Old"}),
        order_line("ORD-3", created_at="2026-03-05T10:00:00Z", customer={"last_name": "Same"}),
    ]
    channel = ChannelFactory()

    output = run_import(channel, write_lines(tmp_path / "f.jsonl", lines))

    assert Customer.objects.get().last_name == "Same"  # of one date, the later line wins
    assert Order.objects.count() == 3
    assert "customers: 1 created, 1 updated, 0 unchanged, 1 outdated" in output


@pytest.mark.parametrize("first", ["head", "tail"])
def test_overlapping_imports_run_one_after_the_other_end_as_one_run(tmp_path, first):
    lines, whole, head, tail = overlapping_files(tmp_path)
    one_run = ChannelFactory(name="one run")
    run_import(one_run, whole, "--batch-size", "50")
    halves = ChannelFactory(name="halves")
    runs = [head, tail] if first == "head" else [tail, head]

    for path in runs:
        run_import(halves, path, "--batch-size", "50")

    assert end_state(halves) == end_state(one_run)
    assert_customers_carry_their_newest_orders(halves, lines)
    assert_audit_trail_leads_to_the_stored_customers(halves)
    audit_records = AuditEvent.objects.count()
    for path in runs:
        output = run_import(halves, path, "--batch-size", "50")
        assert " 0 created, " in output
    assert AuditEvent.objects.count() == audit_records


def test_lines_the_api_would_refuse_are_rejected_naming_the_field_and_the_rest_lands(tmp_path):
    five_megabytes = "x" * (5 * 1024 * 1024)
    item = {"product": "SKU-1", "price": "1.00"}
    lines = [
        order_line("ORD-1", amount="-1.00"),
        order_line("ORD-2", refund_amount=-0.5),
        order_line("ORD-3", order_item=[{**item, "price": "-5.00"}]),
        order_line("ORD-4", customer={"attributes": {"note": five_megabytes}}),
        order_line("ORD-5", note=five_megabytes),  # a key only the raw payload keeps
        order_line("ORD-6", order_item=[item] * 60_000),
        order_line("ORD-7", order_item=[item] * (MAX_ORDER_ITEMS + 1)),
        order_line("ORD-8", order_item=[{"product_name": "no sku, no price"}]),
        order_line("ORD-9", order_item=[item] * MAX_ORDER_ITEMS),
    ]
    path, rejects = write_lines(tmp_path / "f.jsonl", lines), tmp_path / "bad.jsonl"
    channel = ChannelFactory()

    output = run_import(channel, path, "--rejects", str(rejects))

    assert list(Order.objects.filter(channel=channel).values_list("number", flat=True)) == ["ORD-9"]
    assert OrderItem.objects.count() == MAX_ORDER_ITEMS
    reported = {r["line"]: r for r in map(json.loads, rejects.read_text().splitlines())}
    assert {line: r["errors"] for line, r in reported.items()} == {
        1: {"order.amount": ["Ensure this value is greater than or equal to 0."]},
        2: {"order.refund_amount": ["Ensure this value is greater than or equal to 0."]},
        3: {"order_item[0].price": ["Ensure this value is greater than or equal to 0."]},
        4: {"line": ["Longer than 2621440 bytes, the most a request to the API may send."]},
        5: {"line": ["Longer than 2621440 bytes, the most a request to the API may send."]},
        6: {"order_item": [f"At most {MAX_ORDER_ITEMS} items an order."]},
        7: {"order_item": [f"At most {MAX_ORDER_ITEMS} items an order."]},
        8: {
            "order_item[0].product": ["This field is required."],
            "order_item[0].price": ["This field is required."],
        },
    }
    assert "8 rejected" in output


def test_the_longest_line_taken_is_the_apis_body_limit(tmp_path, settings):
    lines = [order_line("ORD-1"), order_line("ORD-2")]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(lines[0].encode())
    lines[1] += " "  # one byte longer

    run_import(ChannelFactory(), write_lines(tmp_path / "f.jsonl", lines))

    assert list(Order.objects.values_list("number", flat=True)) == ["ORD-1"]
    rejected = json.loads((tmp_path / "f.jsonl.rejects.jsonl").read_text())
    assert (rejected["line"], set(rejected["errors"])) == (2, {"line"})


def test_a_rejects_path_that_cannot_be_written_is_a_clear_error_before_any_import(tmp_path):
    channel = ChannelFactory()
    path = write_lines(tmp_path / "f.jsonl", [order_line()])

    with pytest.raises(
        CommandError, match=r"Cannot write the rejected lines to .*: Is a directory"
    ):
        run_import(channel, path, "--rejects", str(tmp_path))
    missing = tmp_path / "no such folder" / "rejects.jsonl"
    with pytest.raises(CommandError, match=r"Cannot write .*: No such file or directory"):
        run_import(channel, path, "--rejects", str(missing))

    assert not Order.objects.exists()


def test_rejects_of_a_pipe_go_to_the_current_directory(tmp_path, monkeypatch):
    """As bash's `<(cat f)` hands the file over: /dev/fd/63, beside which nothing can be written."""
    pipes, work = tmp_path / "pipes", tmp_path / "work"
    pipes.mkdir()
    work.mkdir()
    monkeypatch.chdir(work)
    pipe = pipes / "orders.pipe"
    os.mkfifo(pipe)

    def feed():
        with pipe.open("w") as writer:
            writer.write(order_line() + "\nnot json\n")

    feeder = threading.Thread(target=feed)
    feeder.start()
    output = run_import(ChannelFactory(), pipe, "--in-process")
    feeder.join()

    assert Order.objects.count() == 1
    assert "1 rejected" in output
    assert json.loads((work / "orders.pipe.rejects.jsonl").read_text())["line"] == 2
    assert [p.name for p in pipes.iterdir()] == ["orders.pipe"]


def test_importing_a_device_writes_nothing_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    output = run_import(ChannelFactory(), os.devnull)

    assert "0 read, 0 created" in output
    assert not Path(f"{os.devnull}.rejects.jsonl").exists()
    assert (tmp_path / "null.rejects.jsonl").read_text() == ""


def test_the_contracts_example_line_lands_field_by_field(tmp_path):
    from tests.test_orders_api import EXAMPLE

    line = json.dumps({**EXAMPLE, "marketplace": {"fee": "1.20"}}, ensure_ascii=False)
    channel = ChannelFactory()

    output = run_import(channel, write_lines(tmp_path / "f.jsonl", [line]))

    assert "1 created" in output
    order = Order.objects.select_related("customer", "shipping_address", "billing_address").get()
    assert {
        field: str(getattr(order, field))
        for field in (
            "number",
            "remote_id",
            "currency",
            "amount",
            "shipping_amount",
            "discount_amount",
            "refund_amount",
            "status",
        )
    } == {
        "number": "MP-100045",
        "remote_id": "8812734",
        "currency": "TRY",
        "amount": "149.90",
        "shipping_amount": "9.90",
        "discount_amount": "10.00",
        "refund_amount": "0.00",
        "status": "new",
    }
    assert order.ordered_at.isoformat() == "2026-10-01T10:00:00+00:00"
    assert order.extra_field == {"gift": True}
    assert order.raw_payload["marketplace"] == {"fee": "1.20"}  # an unknown key: kept
    customer = order.customer
    assert (customer.channel_code, customer.email, customer.first_name) == (
        "C-771",
        "ayse@example.com",
        "Ayşe",
    )
    assert (customer.last_name, customer.phone_number, customer.is_active) == (
        "Yılmaz",
        "05551112233",
        True,
    )
    assert customer.order_data_date == order.ordered_at
    items = list(
        order.items.order_by("id").values_list(
            "product_sku", "quantity", "price", "tax_rate", "discount_amount", "remote_id"
        )
    )
    assert items == [
        ("SKU-1", 1, Decimal("79.95"), Decimal("20"), Decimal("5.00"), "1"),
        ("SKU-2", 1, Decimal("79.95"), Decimal("0"), Decimal("0"), "2"),
    ]
    assert order.items.order_by("id").first().extra_field == {"size": "M"}
    shipping, billing = order.shipping_address, order.billing_address
    assert (shipping.customer, shipping.country.code, shipping.city.name) == (
        customer,
        "TR",
        "İstanbul",
    )
    assert (shipping.township.name, shipping.district.name, shipping.line) == (
        "Kadıköy",
        "Caferağa",
        "Moda Cad. No: 1",
    )
    assert (billing.city.name, billing.township.name, billing.district) == (
        "Ankara",
        "Çankaya",
        None,
    )
    assert (billing.company_name, billing.tax_no) == ("Yılmaz Ltd.", "1234567890")
    events = AuditEvent.objects.filter(content_type__model__in=("customer", "order", "address"))
    assert set(events.values_list("source", flat=True)) == {Source.IMPORT}
    assert sorted(events.values_list("content_type__model", flat=True)) == [
        "address",
        "address",
        "customer",
        "order",
    ]


def test_unknown_keys_anywhere_are_kept_in_the_raw_payload_never_an_error(tmp_path):
    line = order_line(
        customer={"loyalty_tier": "gold", "channel": 99},
        coupon="SPRING",
        order_item=[{"product": "SKU-1", "price": "1.00", "quantity": 3, "barcode": "869"}],
    )
    payload = json.loads(line)
    payload["integration"] = {"version": 2}

    output = run_import(ChannelFactory(), write_lines(tmp_path / "f.jsonl", [json.dumps(payload)]))

    assert "0 rejected" in output
    order = Order.objects.get()
    assert order.raw_payload == payload
    assert order.customer.channel_id != 99
    assert list(order.items.values_list("quantity", flat=True)) == [1]  # an entry is a unit


def address(**changes) -> dict:
    return {
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone_number": "05551112233",
        "country": "TR",
        "city": "İstanbul",
        "township": "Kadıköy",
        "line": "Moda Cad. No: 1",
        **changes,
    }


def test_places_resolve_by_name_in_any_case_and_by_the_channels_codes(tmp_path):
    from locations.models import SALES_CHANNEL_INTEGRATION, sales_channel_code
    from locations.services import LocationService

    channel = ChannelFactory()
    izmir = City.objects.get(name="İzmir")
    LocationService.add_mapping(
        izmir, SALES_CHANNEL_INTEGRATION, sales_channel_code(channel.pk, "35")
    )
    lines = [
        order_line("ORD-1", shipping_address=address(city="ISTANBUL", township="KADIKÖY")),
        order_line("ORD-2", shipping_address=address(city="istanbul", township="kadıköy")),
        order_line(
            "ORD-3",
            shipping_address=address(
                city={"code": "35", "name": "Izmir?"}, township={"name": "BORNOVA"}
            ),
        ),
        order_line("ORD-4", shipping_address=address(township=None, district="Göztepe")),
    ]

    run_import(channel, write_lines(tmp_path / "f.jsonl", lines))

    placed = dict(Order.objects.values_list("number", "shipping_address__city__name"))
    assert placed == {
        "ORD-1": "İstanbul",
        "ORD-2": "İstanbul",
        "ORD-3": "İzmir",
        "ORD-4": "İstanbul",
    }
    first, second = (Order.objects.get(number=n) for n in ("ORD-1", "ORD-2"))
    assert first.shipping_address_id == second.shipping_address_id  # one address, reused
    goztepe = Order.objects.get(number="ORD-4").shipping_address
    assert (goztepe.township.name, goztepe.district.name) == ("Kadıköy", "Göztepe")


def test_a_place_the_service_cannot_resolve_rejects_the_line_naming_the_field(tmp_path):
    lines = [
        order_line("ORD-1", shipping_address=address(city="Atlantis", township=None)),
        order_line("ORD-2", billing_address=address(country="XX")),
        order_line("ORD-3", shipping_address=address(township="Çankaya")),  # in Ankara
        order_line("ORD-4", shipping_address=address(district="Bebek")),  # in Beşiktaş
        order_line("ORD-5", shipping_address=address(city=None)),
        order_line("ORD-6", shipping_address=address(line="")),
        order_line("ORD-7", shipping_address=address()),
    ]
    rejects = tmp_path / "bad.jsonl"

    run_import(
        ChannelFactory(), write_lines(tmp_path / "f.jsonl", lines), "--rejects", str(rejects)
    )

    reported = {r["line"]: r["errors"] for r in map(json.loads, rejects.read_text().splitlines())}
    assert reported == {
        1: {"order.shipping_address.city": ["No city of this name or code in the country."]},
        2: {"order.billing_address.country": ["No country with this code."]},
        3: {"order.shipping_address.township": ["No township of this name or code in the city."]},
        4: {
            "order.shipping_address.district": ["No district of this name or code in the township."]
        },
        5: {"order.shipping_address.city": ["This field is required."]},
        6: {"order.shipping_address.line": ["This field is required."]},
    }
    assert list(Order.objects.values_list("number", flat=True)) == ["ORD-7"]
    assert Customer.objects.count() == 1  # a rejected line writes no customer


def test_a_file_imported_twice_reuses_its_addresses_and_writes_nothing_again(tmp_path):
    channel = ChannelFactory()
    path, stats = generated_file(tmp_path)
    run_import(channel, path)
    addresses = Address.objects.filter(customer__channel=channel)
    created = AuditEvent.objects.filter(content_type__model="address", source=Source.IMPORT)
    orders = Order.objects.filter(channel=channel)

    assert addresses.count() == stats.addresses
    assert created.count() == stats.addresses
    assert not orders.filter(shipping_address__isnull=True).exists()
    assert not orders.exclude(shipping_address__customer=F("customer")).exists()
    assert not orders.exclude(billing_address__customer=F("customer")).exists()
    before = database_state(channel)

    output = run_import(channel, path)

    assert " 0 created, " in output
    assert database_state(channel) == before
    assert addresses.count() == created.count() == stats.addresses


def test_a_billing_address_like_the_shipping_one_but_for_a_types_is_read_on_its_own(tmp_path):
    """true and 1 are equal in Python, not in JSON: the second address is not the first's."""
    lines = [
        order_line(
            "ORD-1",
            shipping_address=address(e_bill_taxpayer=True),
            billing_address=address(e_bill_taxpayer=1),
        ),
        order_line(
            "ORD-2",
            shipping_address=address(e_bill_taxpayer=True),
            billing_address=address(e_bill_taxpayer=True),
        ),
    ]
    rejects = tmp_path / "bad.jsonl"

    run_import(
        ChannelFactory(), write_lines(tmp_path / "f.jsonl", lines), "--rejects", str(rejects)
    )

    reported = {r["line"]: r["errors"] for r in map(json.loads, rejects.read_text().splitlines())}
    assert reported == {1: {"order.billing_address.e_bill_taxpayer": ["Expected true or false."]}}
    order = Order.objects.get()
    assert order.number == "ORD-2"
    assert order.shipping_address_id == order.billing_address_id
    assert order.shipping_address.e_bill_taxpayer is True


def test_an_imported_customer_is_stored_as_the_upsert_cleans_a_plain_record(tmp_path):
    """The parser's cleaning is the one the writer skips: the same values land either way."""
    from django.db import transaction

    from audit.context import AuditContext
    from customers.services import CustomerService

    given = {
        "channel_code": "C-1",
        "email": "ayse@example.com",
        "first_name": "Ayşe",
        "last_name": " Yılmaz",
        "phone_number": "+905551112233",
        "date_of_birth": "1990-02-03",
        "date_joined": "2026-01-01T10:00:00",
        "gender": "female",
        "is_active": True,
        "sms_allowed": False,
        "extra_field": {"tier": "gold", "points": 12},
    }
    imported, upserted = ChannelFactory(), ChannelFactory()
    run_import(imported, write_lines(tmp_path / "f.jsonl", [order_line(customer=given)]))
    with transaction.atomic():
        CustomerService.upsert_customers(
            upserted, [dict(given)], audit_context=AuditContext(source=Source.IMPORT)
        )

    fields = [*given, "erp_code", "call_allowed", "email_allowed", "user_type"]
    stored = [
        Customer.objects.filter(channel=channel).values(*fields).get()
        for channel in (imported, upserted)
    ]
    assert stored[0] == stored[1]
