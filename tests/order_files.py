"""Write a realistic marketplace order file for `manage.py import_orders`.

    python -m tests.order_files --orders 100000 --customers 30000 -o orders.jsonl

The tests and the benchmarks (bench/) make their files with it.

N orders over exactly M customers (N >= M): every customer orders at least
once and most order again; some orders carry changed customer data (a new
surname, phone or address), which later orders of that customer keep; some
orders are sent twice (the same line again, as marketplaces resend); and some
lines are bad (not JSON, a missing field, an invalid email, an unknown
customer field, a negative quantity). The same seed gives the same file. What
the file holds is printed to stderr as JSON.

Order dates follow the lines (each a minute after the one before), or, with
`shuffled_dates`, are the same minutes in random order: then a customer's
newest order is not always its last line.
"""

import argparse
import dataclasses
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

FIRST_NAMES = ["Ayşe", "Mehmet", "Zeynep", "Ali", "Elif", "Can", "Deniz", "Ece", "Emre", "Selin"]
LAST_NAMES = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk", "Arslan", "Koç"]
CITIES = ["İstanbul", "Ankara", "İzmir", "Bursa", "Antalya"]
PRODUCTS = [(f"SKU-{n:05d}", f"Product {n}") for n in range(500)]
START = datetime(2026, 1, 1, tzinfo=UTC)
BAD_LINE_KINDS = (
    "not_json",
    "missing_number",
    "invalid_email",
    "unknown_customer_field",
    "negative_quantity",
)


@dataclasses.dataclass
class FileStats:
    orders: int = 0  # distinct orders (good lines, resends counted once)
    customers: int = 0  # distinct customers of those orders
    resent_lines: int = 0  # good lines repeating an earlier order
    bad_lines: int = 0
    customer_changes: int = 0  # orders whose customer data differ from the customer's last


class OrderFileGenerator:
    def __init__(
        self,
        orders: int,
        customers: int,
        *,
        seed: int = 1,
        bad_rate: float = 0.01,
        resend_rate: float = 0.01,
        change_rate: float = 0.05,
        shuffled_dates: bool = False,
    ):
        if not 1 <= customers <= orders:
            raise ValueError("Need 1 <= customers <= orders.")
        self.order_count = orders
        self.customer_count = customers
        self.random = random.Random(seed)
        self.bad_rate = bad_rate
        self.resend_rate = resend_rate
        self.change_rate = change_rate
        self.shuffled_dates = shuffled_dates
        self.stats = FileStats(orders=orders, customers=customers)

    def lines(self) -> Iterator[str]:
        rng = self.random
        # Every customer orders once, then the rest of the orders go to anyone.
        buyers = list(range(self.customer_count))
        buyers += [
            rng.randrange(self.customer_count) for _ in range(self.order_count - len(buyers))
        ]
        rng.shuffle(buyers)
        minutes = list(range(1, len(buyers) + 1))
        if self.shuffled_dates:
            rng.shuffle(minutes)
        customers: dict[int, dict] = {}
        sent: list[str] = []
        for number, buyer in enumerate(buyers, start=1):
            if rng.random() < self.bad_rate:
                self.stats.bad_lines += 1
                yield self._bad_line(number)
            customer = customers.get(buyer)
            if customer is None:
                customer = customers[buyer] = self._new_customer(buyer)
            elif rng.random() < self.change_rate:
                self._change(customer)
                self.stats.customer_changes += 1
            order = self._order(number, customer, minutes[number - 1])
            line = json.dumps(order, ensure_ascii=False)
            yield line
            sent.append(line)
            if rng.random() < self.resend_rate:
                self.stats.resent_lines += 1
                yield rng.choice(sent)

    def _new_customer(self, index: int) -> dict:
        rng = self.random
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return {
            "channel_code": f"C{index:07d}",
            "email": f"customer{index}@example.com",
            "first_name": first,
            "last_name": last,
            "phone_number": f"+90555{index:07d}",
            "is_active": True,
            "email_allowed": rng.random() < 0.5,
            "extra_field": {"city": rng.choice(CITIES)},
        }

    def _change(self, customer: dict) -> None:
        rng = self.random
        change = rng.choice(("last_name", "phone_number", "city"))
        if change == "last_name":
            customer["last_name"] = rng.choice(
                [n for n in LAST_NAMES if n != customer["last_name"]]
            )
        elif change == "phone_number":
            customer["phone_number"] = f"+90532{rng.randrange(10**7):07d}"
        else:
            city = customer["extra_field"]["city"]
            customer["extra_field"] = {"city": rng.choice([c for c in CITIES if c != city])}

    def _order(self, number: int, customer: dict, minute: int | None = None) -> dict:
        rng = self.random
        items = []
        for _ in range(rng.randint(1, 3)):
            sku, name = rng.choice(PRODUCTS)
            items.append(
                {
                    "product_sku": sku,
                    "product_name": name,
                    "quantity": rng.randint(1, 4),
                    "price": str(Decimal(rng.randrange(500, 50000)) / 100),
                    "discount_amount": "0.00",
                }
            )
        gross = sum(Decimal(i["price"]) * i["quantity"] for i in items)
        discount = (gross * Decimal(rng.choice((0, 0, 0, 5, 10))) / 100).quantize(Decimal("0.01"))
        refund = gross - discount if rng.random() < 0.05 else Decimal("0.00")
        ordered_at = START + timedelta(minutes=number if minute is None else minute)
        return {
            "number": f"ORD-{number:09d}",
            "ordered_at": ordered_at.isoformat().replace("+00:00", "Z"),
            "amount": str(gross - discount),
            "discount_amount": str(discount),
            "refund_amount": str(refund),
            "shipping_amount": "0.00",
            "currency": "TRY",
            "status": "refunded" if refund else "delivered",
            "items": items,
            "customer": dict(customer),
        }

    def _bad_line(self, number: int) -> str:
        rng = self.random
        kind = rng.choice(BAD_LINE_KINDS)
        order = self._order(number, self._new_customer(10**6 + number))
        order["number"] = f"BAD-{number:09d}"
        if kind == "not_json":
            return json.dumps(order)[:-7]
        if kind == "missing_number":
            del order["number"]
        elif kind == "invalid_email":
            order["customer"]["email"] = "not-an-email"
        elif kind == "unknown_customer_field":
            order["customer"]["loyalty_tier"] = "gold"
        else:
            order["items"][0]["quantity"] = -1
        return json.dumps(order, ensure_ascii=False)


def newest_customer_data(lines: list[str]) -> dict[str, dict]:
    """{channel_code: the customer data of its newest order} of a file without bad lines.

    What an import of these lines leaves, whatever the order of its runs:
    the newest order by date, then line, wins.
    """
    newest: dict[str, tuple] = {}
    for number, line in enumerate(lines, start=1):
        try:
            order = json.loads(line)
            customer, ordered_at = order["customer"], order["ordered_at"]
        except (ValueError, KeyError):
            continue
        version = (datetime.fromisoformat(ordered_at), number)
        code = customer["channel_code"]
        if code not in newest or newest[code][0] < version:
            newest[code] = (version, customer)
    return {code: customer for code, (_, customer) in newest.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bad-rate", type=float, default=0.01)
    parser.add_argument("--resend-rate", type=float, default=0.01)
    parser.add_argument("--change-rate", type=float, default=0.05)
    parser.add_argument(
        "--shuffled-dates", action="store_true", help="Order dates in random order."
    )
    parser.add_argument("-o", "--output", help="File to write (default: standard output).")
    args = parser.parse_args(argv)
    generator = OrderFileGenerator(
        args.orders,
        args.customers,
        seed=args.seed,
        bad_rate=args.bad_rate,
        resend_rate=args.resend_rate,
        change_rate=args.change_rate,
        shuffled_dates=args.shuffled_dates,
    )
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    with out:
        for line in generator.lines():
            out.write(line + "\n")
    print(json.dumps(dataclasses.asdict(generator.stats)), file=sys.stderr)


if __name__ == "__main__":
    main()
