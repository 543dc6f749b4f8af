"""Time an `email__startswith` list page's SQL: LIKE against the byte-order range.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/apibench \\
        .venv/bin/python bench/prefix_filter.py --prefixes zeynep.demir,zeynep.k

On the data set already in the database DATABASE_URL names (bench/api.py or
bench/dataset.py grows one), for each prefix: how many customers it matches,
then the two statements a list page of 10 sends after the token's (the
bounded count with the planner's estimate, and the page read keys first),
run --rounds times each way in alternation: with the prefix as Django's LIKE,
and as omnitron/prefix_range.py's range. Prints the best and the median
milliseconds of the pair. PostgreSQL only; not part of the test suite.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from customers.models import Customer  # noqa: E402
from omnitron.counting import BoundedCountPaginator  # noqa: E402
from omnitron.prefix_range import starts_with  # noqa: E402

PAGE_SIZE = 10


def page_of(customers) -> float:
    """Seconds for a list page's count and keys-first page, as the API reads them."""
    started = time.perf_counter()
    paginator = BoundedCountPaginator(
        customers.order_by("-id"), PAGE_SIZE, rows_from=Customer.objects.all()
    )
    paginator.page(1)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prefixes", default="zeynep.demir,zeynep.k")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: the range is a PostgreSQL operator class's order.")
    print(f"{Customer.objects.count():,} customers")
    print("| prefix | matches | LIKE best ms | LIKE median | range best ms | range median |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for prefix in args.prefixes.split(","):
        like = Customer.objects.filter(email__startswith=prefix)
        ranged = Customer.objects.filter(*starts_with("email", prefix))
        matches = like.count()
        assert ranged.count() == matches
        times = {"like": [], "range": []}
        for _ in range(args.rounds):
            times["like"].append(page_of(like))
            times["range"].append(page_of(ranged))
        cells = [
            f"{f(times[way]) * 1000:.3f}"
            for way in ("like", "range")
            for f in (min, statistics.median)
        ]
        print(f"| {prefix} | {matches:,} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
