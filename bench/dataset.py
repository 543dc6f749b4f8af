"""The API benchmark's data set: customers of several channels, with orders and their items.

Rows are made in Python from a seeded generator (Turkish and other names,
ASCII emails, phones, ERP codes, consents, an `attributes` object with a few
keys, created and modified dates spread over three years) and written through
`omnitron.bulk_insert.bulk_insert_values`: COPY on PostgreSQL, bulk_create
elsewhere. The production indexes stay in place while loading, so the table
ends as the service would have it.

The set grows: `grow_to(size)` adds only the customers missing to reach
`size`, so 10k, 100k and 1M are loaded one after the other into one database.
The benchmark's rows are the customers of the channels named CHANNEL_PREFIX...;
anything else in the database is "foreign" (see `foreign_customer_count`).
Dataset rows get no audit records: nothing the benchmark reads looks at them.
"""

import dataclasses
import itertools
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection

from audit.models import AuditEvent
from channels.models import Channel, ChannelType
from customers.models import Customer, IntegrationMapping
from omnitron.bulk_insert import bulk_insert_values
from orders.models import Order, OrderItem

CHANNEL_PREFIX = "apibench: "
IMPORT_CHANNEL_PREFIX = f"{CHANNEL_PREFIX}import "
# (name, type, share of the customers)
CHANNELS = (
    (f"{CHANNEL_PREFIX}web shop", ChannelType.WEB, 0.4),
    (f"{CHANNEL_PREFIX}Trendyol", ChannelType.TRENDYOL, 0.3),
    (f"{CHANNEL_PREFIX}Hepsiburada", ChannelType.HEPSIBURADA, 0.2),
    (f"{CHANNEL_PREFIX}n11", ChannelType.N11, 0.1),
)
CHANNEL_CUM_WEIGHTS = list(itertools.accumulate(share for *_, share in CHANNELS))
FIRST_NAMES = (
    "Ayşe", "Mehmet", "Zeynep", "Ali", "Elif", "Can", "Deniz", "Ece", "Emre", "Selin",
    "Fatma", "Mustafa", "Özge", "Burak", "Gökhan", "Şule", "İbrahim", "Çağla", "Ümit", "Yağmur",
    "Hüseyin", "Gülşen", "Oğuz", "Irmak", "Kübra", "Tolga", "Merve", "Barış", "Anna", "John",
)  # fmt: skip
LAST_NAMES = (
    "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan", "Koç", "Doğan",
    "Kılıç", "Aslan", "Çetin", "Kara", "Kurt", "Özdemir", "Yıldız", "Yıldırım", "Güneş", "Acar",
    "Bulut", "Erdoğan", "Polat", "Korkmaz", "Tekin", "Aksoy", "Uçar", "Smith", "Müller", "Rossi",
)  # fmt: skip
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com", "outlook.com", "icloud.com", "yandex.com.tr")
ASCII = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")
SEGMENTS = (("new", 0.4), ("bronze", 0.3), ("silver", 0.2), ("gold", 0.1))
CITIES = ("İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Konya", "Adana", "Eskişehir")
PRODUCTS = [(f"SKU-{n:05d}", f"Product {n}") for n in range(2000)]

# Customers were created between these two dates, uniformly: a filter on a
# date range matches the same share of the table at every size.
START = datetime(2023, 1, 1, tzinfo=UTC)
END = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_SECONDS = (END - START).total_seconds()

# What the benchmark's filters ask for, and roughly the share of rows each matches.
EMAIL_PREFIX = "zeynep.demir"  # 1 / (30 * 30)
ATTRIBUTE_KEY, ATTRIBUTE_VALUE = "segment", "gold"  # 10%
RECENT_SINCE = END - timedelta(days=30)  # 2.7%

CHUNK_SIZE = 50_000
ORDER_SHARE = 0.3  # customers with orders; they have 1 or 2, of 1 to 3 items each


@dataclasses.dataclass
class LoadReport:
    customers: int = 0
    orders: int = 0
    items: int = 0
    seconds: float = 0.0


def bench_channels() -> list[Channel]:
    """The data set's channels, created on first use, in CHANNELS order."""
    channels = []
    for name, channel_type, _share in CHANNELS:
        channel, _ = Channel.objects.get_or_create(
            name=name, defaults={"catalog": 1, "channel_type": channel_type}
        )
        channels.append(channel)
    return channels


def bench_customer_count() -> int:
    return Customer.objects.filter(channel__name__in=[name for name, *_ in CHANNELS]).count()


def foreign_customer_count() -> int:
    """Customers the benchmark did not make: a sign this is not a scratch database."""
    return Customer.objects.exclude(channel__name__startswith=CHANNEL_PREFIX).count()


def grow_to(
    size: int,
    *,
    seed: int = 1,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[LoadReport, int], None] | None = None,
) -> LoadReport:
    """Add customers (with their orders and items) until the data set holds `size` of them.

    Each chunk is written in its own transaction (autocommit), so an
    interrupted load keeps what it wrote and the next run adds the rest.
    """
    report = LoadReport()
    started = time.perf_counter()
    channels = bench_channels()
    have = bench_customer_count()
    while have < size:
        count = min(chunk_size, size - have)
        # Seeded by position: the same size always gets the same rows.
        rng = random.Random(f"{seed}:{have}")
        rows = [_customer_row(rng, index, channels) for index in range(have, have + count)]
        pks = bulk_insert_values(Customer, rows)
        _keep_dates(Customer, pks, rows)
        order_rows = _order_rows(rng, rows, pks)
        order_pks = bulk_insert_values(Order, order_rows)
        _keep_dates(Order, order_pks, order_rows)
        item_rows = _item_rows(rng, order_pks)
        bulk_insert_values(OrderItem, item_rows)
        have += count
        report.customers += count
        report.orders += len(order_rows)
        report.items += len(item_rows)
        report.seconds = time.perf_counter() - started
        if progress:
            progress(report, have)
    return report


def analyze() -> None:
    """Fresh planner statistics and visibility map, so no autovacuum runs amid the measurements."""
    tables = [m._meta.db_table for m in (Customer, Order, OrderItem, IntegrationMapping)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
        else:
            cursor.execute("ANALYZE")


def settle() -> None:
    """analyze(), then a CHECKPOINT on PostgreSQL: no dirty page left to write mid-measurement."""
    analyze()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def _pick(rng: random.Random, weighted: tuple) -> str:
    draw = rng.random()
    for value, share in weighted:
        draw -= share
        if draw < 0:
            return value
    return weighted[-1][0]


def _customer_row(rng: random.Random, index: int, channels: list[Channel]) -> dict:
    rand = rng.random
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    channel = rng.choices(channels, cum_weights=CHANNEL_CUM_WEIGHTS)[0]
    created = START + timedelta(seconds=rand() * SPAN_SECONDS)
    modified = created + timedelta(seconds=rand() * (END - created).total_seconds())
    user_type = _pick(rng, (("registered", 0.7), ("guest", 0.25), (None, 0.05)))
    attributes = {
        ATTRIBUTE_KEY: _pick(rng, SEGMENTS),
        "logged_ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
    }
    if rand() < 0.5:
        attributes["preferred_language"] = _pick(rng, (("tr", 0.8), ("en", 0.15), ("de", 0.05)))
    if rand() < 0.3:
        attributes["newsletter_source"] = rng.choice(("web", "app", "store"))
    local = f"{first}.{last}".translate(ASCII).lower()
    return {
        "channel_id": channel.pk,
        "email": f"{local}{index}@{rng.choice(DOMAINS)}",
        "first_name": first,
        "last_name": last,
        "phone_number": f"+905{rng.randrange(10**9):09d}" if rand() < 0.9 else None,
        "is_active": rand() < 0.85,
        "channel_code": f"AB{index:08d}",
        "erp_code": f"ERP{index:09d}" if rand() < 0.6 else None,
        "extra_field": {"city": rng.choice(CITIES)} if rand() < 0.5 else {},
        "modified_date": modified,
        "created_date": created,
        "date_joined": created if user_type == "registered" else None,
        "email_allowed": rand() < 0.55,
        "sms_allowed": rand() < 0.4,
        "call_allowed": rand() < 0.15,
        "gender": _pick(rng, (("female", 0.45), ("male", 0.45), (None, 0.1))),
        "attributes": attributes,
        "user_type": user_type,
        "date_of_birth": (
            date(1950, 1, 1) + timedelta(days=rng.randrange(20_000)) if rand() < 0.6 else None
        ),
        "attributes_kwargs": {},
        "localized_attributes": {},
        "localized_attributes_kwargs": {},
    }


def _order_rows(rng: random.Random, customers: list[dict], pks: list[int]) -> list[dict]:
    rows = []
    for customer, pk in zip(customers, pks, strict=True):
        if rng.random() >= ORDER_SHARE:
            continue
        for number in range(rng.choice((1, 1, 2))):
            ordered = customer["created_date"] + timedelta(days=rng.randrange(30 * (number + 1)))
            amount = Decimal(rng.randrange(2_000, 500_000)) / 100
            discount = amount * rng.choice((0, 0, 0, 5, 10)) / 100
            refunded = rng.random() < 0.05
            rows.append(
                {
                    "channel_id": customer["channel_id"],
                    "number": f"AB-{pk}-{number}",
                    "customer_id": pk,
                    "amount": (amount - discount).quantize(Decimal("0.01")),
                    "discount_amount": discount.quantize(Decimal("0.01")),
                    "refund_amount": (amount - discount).quantize(Decimal("0.01"))
                    if refunded
                    else Decimal("0.00"),
                    "shipping_amount": Decimal("0.00") if amount > 200 else Decimal("29.90"),
                    "currency": "TRY",
                    "status": "refunded" if refunded else "delivered",
                    "remote_id": str(rng.randrange(10**9)),
                    "ordered_at": ordered,
                    "raw_payload": {},
                    "created_date": ordered,
                    "modified_date": ordered,
                }
            )
    return rows


def _item_rows(rng: random.Random, order_pks: list[int]) -> list[dict]:
    rows = []
    for order_pk in order_pks:
        for _ in range(rng.randint(1, 3)):
            sku, name = rng.choice(PRODUCTS)
            rows.append(
                {
                    "order_id": order_pk,
                    "product_sku": sku,
                    "product_name": name,
                    "quantity": rng.randint(1, 4),
                    "price": Decimal(rng.randrange(500, 50_000)) / 100,
                    "discount_amount": Decimal("0.00"),
                }
            )
    return rows


def _keep_dates(model, pks: list[int], rows: list[dict]) -> None:
    """Put back the generated auto dates, which bulk_create (not COPY) replaces with now."""
    if connection.vendor == "postgresql" or not pks:
        return
    fields = ["created_date", "modified_date"]
    objs = [model(pk=pk, **{f: row[f] for f in fields}) for pk, row in zip(pks, rows, strict=True)]
    model.objects.bulk_update(objs, fields, batch_size=500)


def reset() -> None:
    """Empty the data set: every customer, order, item and audit record, and the bench channels.

    For a scratch database only (the caller checks there is nothing else).
    """
    models = (OrderItem, Order, IntegrationMapping, Customer, AuditEvent)
    if connection.vendor == "postgresql":
        # TRUNCATE leaves no dead rows behind to slow down the next measurements.
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY")
    else:
        for model in models:
            model.objects.all()._raw_delete(connection.alias)
    Channel.objects.filter(name__startswith=CHANNEL_PREFIX).delete()
