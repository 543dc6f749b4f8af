"""Time CustomerSerializer over one list page, in-process (no database, no HTTP).

    .venv/bin/python bench/serialize_page.py --sizes 10,100

Builds unsaved customers with every field a list row carries and prints, per
page size, the best of 7 rounds of `CustomerSerializer(page, many=True).data`,
beside the same serializer on DRF's own `get_fields` and `to_representation`
(what omnitron/representation.py shortcuts). Not part of the test suite.
"""

import argparse
import os
import sys
import timeit
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django

django.setup()

from rest_framework import serializers  # noqa: E402

from customers.models import Customer  # noqa: E402
from customers.serializers import CustomerSerializer  # noqa: E402


class DRFPathsCustomerSerializer(CustomerSerializer):
    """CustomerSerializer with DRF's own field making and row presentation."""

    get_fields = serializers.ModelSerializer.get_fields
    to_representation = serializers.Serializer.to_representation


WHEN = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def page_of(size: int) -> list[Customer]:
    return [
        Customer(
            pk=number,
            channel_id=1,
            email=f"user{number}@example.com",
            first_name="Ayşe",
            last_name="Yılmaz",
            phone_number="05551112233",
            channel_code=f"C-{number}",
            created_date=WHEN,
            modified_date=WHEN,
            date_joined=WHEN,
            attributes={"segment": "gold"},
        )
        for number in range(1, size + 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100", help="Page sizes, comma separated.")
    parser.add_argument("--number", type=int, default=50, help="Pages a round.")
    args = parser.parse_args()
    for size in (int(value) for value in args.sizes.split(",")):
        page = page_of(size)
        timings = {}
        for serializer_class in (DRFPathsCustomerSerializer, CustomerSerializer):
            rounds = timeit.repeat(
                lambda page=page, cls=serializer_class: cls(page, many=True).data,
                repeat=7,
                number=args.number,
            )
            timings[serializer_class.__name__] = min(rounds) / args.number * 1000
        print(
            f"page of {size}: DRF's paths {timings['DRFPathsCustomerSerializer']:.2f} ms, "
            f"CustomerSerializer {timings['CustomerSerializer']:.2f} ms"
        )


if __name__ == "__main__":
    main()
