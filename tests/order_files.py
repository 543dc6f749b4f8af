"""Write a realistic marketplace order file for `manage.py import_orders`.

    python -m tests.order_files --orders 100000 --customers 30000 -o orders.jsonl

The tests and the benchmarks (bench/) make their files with it.

Each line is an order in the marketplace's shape (orders/order_lines.py):
`{"order": {..., "customer": {...}, "shipping_address": {...},
"billing_address": {...}}, "order_item": [...]}`, an item a unit, the places
of its addresses from the Turkish set the service ships
(locations/data/tr_locations.csv, `manage.py load_locations`).

N orders over exactly M customers (N >= M): every customer orders at least
once and most order again; some orders carry changed customer data (a new
surname, phone or city), which later orders of that customer keep; a
customer ships to one of its one or two addresses, mostly billed to the
same, and sometimes moves (a new address); some orders are sent twice (the
same line again, as marketplaces resend); and some lines are bad (not JSON,
a missing number, an invalid email, a negative price, a city the service
does not know). The same seed gives the same file. What the file holds is
printed to stderr as JSON.

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
# (city, township, district) of locations/data/tr_locations.csv, spelt as
# marketplaces spell them: in capitals, without the Turkish letters, or as is.
PLACES = [
    ("İstanbul", "Kadıköy", "Caferağa"),
    ("ISTANBUL", "KADIKÖY", "FENERBAHÇE"),
    ("istanbul", "Beşiktaş", "Levent"),
    ("İstanbul", "Üsküdar", None),
    ("Ankara", "Çankaya", "Kızılay"),
    ("ANKARA", "ÇANKAYA", "Bahçelievler"),
    ("İzmir", "Karşıyaka", "Bostanlı"),
    ("izmir", "Bornova", None),
    ("Iğdır", "Merkez", "Bağlar"),
]
STREETS = ["Bağdat Cad.", "İstiklal Cad.", "Atatürk Bulvarı", "Kıbrıs Şehitleri Cad."]
PRODUCTS = [f"SKU-{n:05d}" for n in range(500)]
START = datetime(2026, 1, 1, tzinfo=UTC)
BAD_LINE_KINDS = (
    "not_json",
    "missing_number",
    "invalid_email",
    "negative_price",
    "unknown_city",
)


@dataclasses.dataclass
class FileStats:
    orders: int = 0  # distinct orders (good lines, resends counted once)
    customers: int = 0  # distinct customers of those orders
    resent_lines: int = 0  # good lines repeating an earlier order
    bad_lines: int = 0
    customer_changes: int = 0  # orders whose customer data differ from the customer's last
    addresses: int = 0  # distinct addresses the orders ship or bill to (set once all is read)


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
        addresses: dict[int, list[dict]] = {}
        used: set[tuple[int, int]] = set()  # (customer, address) of the orders
        sent: list[str] = []
        for number, buyer in enumerate(buyers, start=1):
            if rng.random() < self.bad_rate:
                self.stats.bad_lines += 1
                yield self._bad_line(number)
            customer = customers.get(buyer)
            if customer is None:
                customer = customers[buyer] = self._new_customer(buyer)
                addresses[buyer] = [self._address(customer)]
            elif rng.random() < self.change_rate:
                self._change(customer)
                self.stats.customer_changes += 1
            known = addresses[buyer]
            if rng.random() < self.change_rate:  # a move, or a second address
                known.append(self._address(customer))
            shipping = rng.choice(known)
            billing = shipping if rng.random() < 0.8 else rng.choice(known)
            used.update({(buyer, id(shipping)), (buyer, id(billing))})
            order = self._order(number, customer, minutes[number - 1], shipping, billing)
            line = json.dumps(order, ensure_ascii=False)
            yield line
            sent.append(line)
            if rng.random() < self.resend_rate:
                self.stats.resent_lines += 1
                yield rng.choice(sent)
        self.stats.addresses = len(used)

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

    def _address(self, customer: dict) -> dict:
        rng = self.random
        city, township, district = rng.choice(PLACES)
        return {
            "first_name": customer["first_name"],
            "last_name": customer["last_name"],
            "phone_number": customer["phone_number"],
            "email": customer["email"],
            "country": "TR",
            "city": city,
            "township": township,
            "district": district,
            "line": f"{rng.choice(STREETS)} No: {rng.randint(1, 200)} D: {rng.randint(1, 20)}",
            "postcode": None,
            "title": rng.choice(("Ev", "İş")),
            "notes": None,
            "company_name": None,
            "tax_office": None,
            "tax_no": None,
            "identity_number": None,
            "remote_id": None,
            "extra_field": {},
        }

    def _order(
        self,
        number: int,
        customer: dict,
        minute: int | None = None,
        shipping: dict | None = None,
        billing: dict | None = None,
    ) -> dict:
        rng = self.random
        items = []
        for unit in range(rng.randint(1, 4)):
            items.append(
                {
                    "remote_id": str(unit + 1),
                    "product": rng.choice(PRODUCTS),
                    "price_currency": "TRY",
                    "price": str(Decimal(rng.randrange(500, 50000)) / 100),
                    "tax_rate": rng.choice(("20", "10", "1")),
                    "discount_amount": "0.00",
                    "extra_field": {},
                }
            )
        gross = sum(Decimal(i["price"]) for i in items)
        discount = (gross * Decimal(rng.choice((0, 0, 0, 5, 10))) / 100).quantize(Decimal("0.01"))
        refund = gross - discount if rng.random() < 0.05 else Decimal("0.00")
        ordered_at = START + timedelta(minutes=number if minute is None else minute)
        order = {
            "number": f"ORD-{number:09d}",
            "remote_id": str(8_000_000 + number),
            "currency": "TRY",
            "amount": str(gross - discount),
            "shipping_amount": "0.00",
            "discount_amount": str(discount),
            "refund_amount": str(refund),
            "created_at": ordered_at.isoformat().replace("+00:00", "Z"),
            "status": "refunded" if refund else "delivered",
            "extra_field": {},
            "customer": dict(customer),
        }
        if shipping is not None:
            order["shipping_address"] = dict(shipping)
        if billing is not None:
            order["billing_address"] = dict(billing)
        return {"order": order, "order_item": items}

    def _bad_line(self, number: int) -> str:
        rng = self.random
        kind = rng.choice(BAD_LINE_KINDS)
        customer = self._new_customer(10**6 + number)
        address = self._address(customer)
        line = self._order(number, customer, None, address, address)
        order = line["order"]
        order["number"] = f"BAD-{number:09d}"
        if kind == "not_json":
            return json.dumps(line)[:-7]
        if kind == "missing_number":
            del order["number"]
        elif kind == "invalid_email":
            order["customer"]["email"] = "not-an-email"
        elif kind == "negative_price":
            line["order_item"][0]["price"] = "-1.00"
        else:
            order["shipping_address"] = {**address, "city": "Atlantis", "township": None}
        return json.dumps(line, ensure_ascii=False)


def newest_customer_data(lines: list[str]) -> dict[str, dict]:
    """{channel_code: the customer data of its newest order} of a file without bad lines.

    What an import of these lines leaves, whatever the order of its runs:
    the newest order by date, then line, wins.
    """
    newest: dict[str, tuple] = {}
    for number, line in enumerate(lines, start=1):
        try:
            order = json.loads(line)["order"]
            customer, ordered_at = order["customer"], order["created_at"]
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
