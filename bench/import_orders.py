"""Order import throughput: the batched command against the naive path, side by side.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/import_orders.py

Generates a file (tests/order_files.py), then imports into fresh channels
of the database DATABASE_URL names (migrated first; use a scratch database):

- naive: one transaction and one service call per order, one query per lookup
  (find the customer, create or update it through CustomerService, resolve
  each address's place and reuse the address by its digest or create it
  through AddressService, create the order, each item and its audit record),
  over the first --naive-orders lines;
- batched: `manage.py import_orders` over the same lines, then over the whole file.

Prints orders per second for each and the ratio. Not part of the test suite.
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from addresses.field_sets import WRITABLE_FIELDS, digest_of  # noqa: E402
from addresses.models import Address  # noqa: E402
from addresses.services import AddressService  # noqa: E402
from audit.context import AuditContext  # noqa: E402
from audit.models import Action, Source  # noqa: E402
from audit.services import record_audit_event  # noqa: E402
from channels.models import Channel, ChannelType  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.services import CustomerService  # noqa: E402
from locations.models import City, Country, District, Township  # noqa: E402
from orders.models import Order, OrderItem  # noqa: E402
from orders.order_lines import RejectedLine, parse_order_line  # noqa: E402
from orders.places import PlaceResolver, ResolvedPlace  # noqa: E402
from orders.services import order_creation_changes  # noqa: E402
from tests.order_files import OrderFileGenerator  # noqa: E402


def new_channel(name: str) -> Channel:
    return Channel.objects.create(
        name=f"bench {name} {time.time_ns()}", catalog=1, channel_type=ChannelType.WEB
    )


def import_naively(channel: Channel, path: Path) -> int:
    """One order at a time, as a simple loop over the services would do it."""
    context = AuditContext(source=Source.IMPORT)
    imported = 0
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                line = parse_order_line(raw, number, "channel_code")
            except RejectedLine:
                continue
            with transaction.atomic():
                if channel.orders.filter(number=line.number).exists():
                    continue
                places = {
                    key: PlaceResolver(channel.pk).resolve([a.place])[a.place]
                    for key, a in line.addresses.items()
                }
                if not all(isinstance(p, ResolvedPlace) for p in places.values()):
                    continue
                fields = dict(line.customer)
                code = fields.pop("channel_code")
                customer = Customer.objects.filter(channel=channel, channel_code=code).first()
                if customer is None:
                    customer = CustomerService.create_customer(
                        channel=channel, channel_code=code, audit_context=context, **fields
                    )
                else:
                    customer = CustomerService.update_customer(
                        customer=customer, audit_context=context, **fields
                    )
                address_ids = {
                    key: address_of(customer, address, places[key], context)
                    for key, address in line.addresses.items()
                }
                payload = json.loads(line.text)
                order = Order.objects.create(
                    channel=channel,
                    customer=customer,
                    raw_payload=payload,
                    **{f"{key}_id": pk for key, pk in address_ids.items()},
                    **line.order,
                )
                for item in line.items:
                    OrderItem.objects.create(order=order, **item)
                changes = order_creation_changes(line.order, customer.pk, address_ids)
                record_audit_event(order, Action.CREATE, changes, context)
                imported += 1
    return imported


def address_of(customer, address, place, context) -> int:
    """The customer's address of this content: found by its digest, else created."""
    values = {
        **address.values,
        "customer_id": customer.pk,
        "country_id": place.country_id,
        "city_id": place.city_id,
        "township_id": place.township_id,
        "district_id": place.district_id,
    }
    digest = digest_of(Address(**values))  # with the model's defaults, as the service digests
    found = Address.objects.filter(customer=customer, hash_data=digest).first()
    if found is not None:
        return found.pk
    fields = {k: v for k, v in address.values.items() if k in WRITABLE_FIELDS}
    return AddressService.create_address(
        customer=customer,
        country=Country.objects.get(pk=place.country_id),
        city=City.objects.get(pk=place.city_id),
        township=Township.objects.filter(pk=place.township_id).first(),
        district=District.objects.filter(pk=place.district_id).first(),
        audit_context=context,
        **fields,
    ).pk


def import_batched(channel: Channel, path: Path) -> None:
    call_command(
        "import_orders",
        "--channel",
        str(channel.pk),
        str(path),
        "--rejects",
        os.devnull,
        stdout=io.StringIO(),
    )


def timed(label: str, lines: int, run) -> float:
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    rate = lines / seconds
    print(f"{label:<40} {lines:>8} lines {seconds:>8.1f} s {rate:>8.0f} orders/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=30_000)
    parser.add_argument("--naive-orders", type=int, default=5_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_locations", stdout=io.StringIO())  # the places the orders ship to
    with tempfile.TemporaryDirectory() as folder:
        whole, head = Path(folder) / "orders.jsonl", Path(folder) / "head.jsonl"
        lines = list(OrderFileGenerator(args.orders, args.customers, seed=1).lines())
        whole.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        head_lines = lines[: args.naive_orders]
        head.write_text("".join(f"{line}\n" for line in head_lines), encoding="utf-8")
        print(
            f"database: {django.db.connection.vendor}; {args.orders} orders over "
            f"{args.customers} customers, first {len(head_lines)} lines for the comparison"
        )
        naive = timed(
            "naive (one service call per order)",
            len(head_lines),
            lambda: import_naively(new_channel("naive"), head),
        )
        batched = timed(
            "batched import_orders, same lines",
            len(head_lines),
            lambda: import_batched(new_channel("batched-head"), head),
        )
        timed(
            "batched import_orders, whole file",
            len(lines),
            lambda: import_batched(new_channel("batched"), whole),
        )
        print(f"batched / naive: {batched / naive:.1f}x")


if __name__ == "__main__":
    main()
