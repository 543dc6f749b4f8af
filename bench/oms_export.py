"""OMS list-simple exports at size: time, peak memory, and the rows read back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/oms_export.py

For each size (default 10,000 and 100,000), loads that many customers into a
new channel of the database DATABASE_URL names (migrated first; use a scratch
database), then exports the channel as CSV and as Excel through the API
(in-process, the response streamed to a file), and prints for each: seconds,
rows a second, the process's peak resident memory so far (all channels are
loaded first, so only the exports can raise it), the file's size, and whether
the file reads back (csv, openpyxl) to exactly the channel's customer ids.
Flat memory: the peak does not grow from the small export to the large one.
Not part of the test suite.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from channels.models import Channel, ChannelType  # noqa: E402
from customers.management.commands.create_api_user import grant_api_access  # noqa: E402
from customers.models import Customer  # noqa: E402
from omnitron.bulk_insert import bulk_insert_values  # noqa: E402

URL = "/api/v1/oms/customers/list-simple/"
FIRST_NAMES = ["Ayşe", "Mehmet", "Zeynep", "Ali", "Elif", "Can", "Şule", "Gökhan"]
LAST_NAMES = ["Yılmaz", "Kaya", "Demir", "Çelik", "Şahin", "Öztürk", "Aydın"]


def load_channel(size: int) -> Channel:
    """A new channel with `size` customers, copied in batches."""
    channel = Channel.objects.create(
        name=f"export bench {size} {time.time_ns()}", catalog=1, channel_type=ChannelType.WEB
    )
    for start in range(0, size, 20_000):
        rows = [
            {
                "channel_id": channel.pk,
                "email": f"customer{n}@example.com",
                "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                "last_name": LAST_NAMES[n % len(LAST_NAMES)],
                "phone_number": f"+90555{n:07d}",
                "channel_code": f"C-{n}",
                "erp_code": f"ERP-{n}" if n % 3 else None,
            }
            for n in range(start, min(start + 20_000, size))
        ]
        with transaction.atomic():
            bulk_insert_values(Customer, rows)
    return channel


def export(client: APIClient, channel: Channel, format_: str, path: Path) -> float:
    """Seconds to stream the channel's export into `path`."""
    started = time.perf_counter()
    response = client.get(URL, {"format": format_, "channel_id": channel.pk, "sort": "id"})
    assert response.status_code == 200, response.status_code
    with path.open("wb") as file:
        for chunk in response.streaming_content:
            file.write(chunk)
    return time.perf_counter() - started


def peak_resident_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def ids_in_file(format_: str, path: Path) -> list[int]:
    if format_ == "csv":
        with path.open(newline="", encoding="utf-8") as file:
            return [int(row["id"]) for row in csv.DictReader(file)]
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = workbook.active.iter_rows(min_row=2, max_col=1, values_only=True)
    return [int(value) for (value,) in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="export-bench")
    grant_api_access(user, read_only=True)
    client = APIClient()
    client.force_authenticate(user)
    print(f"database: {django.db.connection.vendor}")
    print(
        f"{'rows':>8} {'format':>6} {'seconds':>8} {'rows/s':>8} {'peak RSS MB':>11} "
        f"{'file MB':>8}  read back"
    )
    channels = [load_channel(size) for size in map(int, args.sizes.split(","))]
    with tempfile.TemporaryDirectory() as folder:
        for channel in channels:
            expected = list(channel.customers.order_by("id").values_list("id", flat=True))
            for format_ in ("csv", "xls"):
                path = Path(folder) / f"customers.{format_.replace('xls', 'xlsx')}"
                seconds = export(client, channel, format_, path)
                same = ids_in_file(format_, path) == expected
                print(
                    f"{len(expected):>8} {format_:>6} {seconds:>8.1f} "
                    f"{len(expected) / seconds:>8.0f} {peak_resident_mb():>11.0f} "
                    f"{path.stat().st_size / 2**20:>8.1f}  "
                    f"{'same rows' if same else 'DIFFERENT ROWS'}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
