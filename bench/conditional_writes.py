"""Write latency with and without If-Match and Idempotency-Key, measured in process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/conditional_bench \\
        .venv/bin/python bench/conditional_writes.py --requests 400 --markdown bench/results.md

Migrates the database DATABASE_URL names (use a scratch one: the run leaves
its customers there), makes a bench user, channel and customers, then sends
each scenario's requests through Django's test client (every middleware and
the whole DRF stack, no network and no server), in alternating rounds so that
the machine's drift falls on every scenario alike:

- PATCH of a customer, without If-Match / with the tag its previous answer gave;
- POST of a new customer, without / with an Idempotency-Key (a new key each).

Prints p50 and p95 milliseconds and the SQL queries of one request of each;
--markdown replaces this script's section of that file (keeping the rest).
Not part of the test suite; bench/api.py measures the same service under load.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnitron.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from audit.context import AuditContext  # noqa: E402
from audit.models import Source  # noqa: E402
from channels.models import Channel, ChannelType  # noqa: E402
from customers.management.commands.create_api_user import grant_api_access  # noqa: E402
from customers.services import CustomerService  # noqa: E402

BENCH_USER = "bench-conditional"
CUSTOMERS = "/api/v1/customers/"
TARGETS = 50  # customers the PATCHes go round, so that no row is hot
SECTION_START = "<!-- bench/conditional_writes.py -->"
SECTION_END = "<!-- /bench/conditional_writes.py -->"


class Bench:
    def __init__(self):
        user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {grant_api_access(user)}")
        self.channel = Channel.objects.create(
            name=f"bench conditional {uuid.uuid4().hex[:8]}",
            catalog=1,
            channel_type=ChannelType.WEB,
        )
        context = AuditContext(source=Source.COMMAND)
        self.customers = [
            CustomerService.create_customer(
                channel=self.channel,
                channel_code=f"T-{n}",
                audit_context=context,
                email=f"t{n}@example.com",
            ).pk
            for n in range(TARGETS)
        ]
        self.tags: dict[int, str] = {}
        self.sent = 0

    def patch(self, *, if_match: bool):
        pk = self.customers[self.sent % TARGETS]
        headers = {"HTTP_IF_MATCH": self.tags[pk]} if if_match and pk in self.tags else {}
        response = self.client.patch(
            f"{CUSTOMERS}{pk}/", {"erp_code": f"E-{self.sent}"}, format="json", **headers
        )
        assert response.status_code == 200, response.content
        self.tags[pk] = response["ETag"]

    def post(self, *, key: bool):
        body = {
            "email": "p@example.com",
            "channel": self.channel.pk,
            "channel_code": uuid.uuid4().hex,
        }
        headers = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if key else {}
        response = self.client.post(CUSTOMERS, body, format="json", **headers)
        assert response.status_code == 201, response.content

    def scenarios(self):
        return {
            "PATCH": lambda: self.patch(if_match=False),
            "PATCH + If-Match": lambda: self.patch(if_match=True),
            "POST": lambda: self.post(key=False),
            "POST + Idempotency-Key": lambda: self.post(key=True),
        }

    def run(self, requests: int, rounds: int) -> dict[str, dict]:
        scenarios = self.scenarios()
        for send in scenarios.values():  # warm-up, and the tags If-Match sends
            for _ in range(TARGETS):
                send()
                self.sent += 1
        timings: dict[str, list[float]] = {name: [] for name in scenarios}
        for _ in range(rounds):
            for name, send in scenarios.items():
                for _ in range(requests // rounds):
                    started = time.perf_counter()
                    send()
                    timings[name].append((time.perf_counter() - started) * 1000)
                    self.sent += 1
        results = {}
        for name, send in scenarios.items():
            with CaptureQueriesContext(connection) as queries:
                send()
            self.sent += 1
            values = sorted(timings[name])
            results[name] = {
                "requests": len(values),
                "p50": statistics.median(values),
                "p95": values[int(len(values) * 0.95) - 1],
                "queries": len(queries),
            }
        return results


def markdown(results: dict[str, dict], command: str) -> str:
    lines = [
        SECTION_START,
        "**Conditional writes and idempotency keys** (in process, Django's test client)",
        "",
        "| scenario | requests | p50 ms | p95 ms | queries |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | {r['requests']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['queries']} |"
            for name, r in results.items()
        ),
        "",
        "If-Match adds no query: the service compares the tag of the row it locks anyway. "
        "An Idempotency-Key adds two statements, each its own commit (the claim before the "
        "work, the kept answer after it), so each waits for a WAL flush.  ",
        f"Command: `{command}`  ",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the end; "
        f"{database_name()}; "
        "queries: one request of the scenario (BEGIN and COMMIT count as queries).",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def database_name() -> str:
    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def write_section(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(SECTION_START) + ".*?" + re.escape(SECTION_END) + "\n", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="timed requests per scenario")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--markdown", type=Path, help="replace this script's section there")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    results = Bench().run(args.requests, args.rounds)
    for name, r in results.items():
        print(
            f"{name:24} {r['requests']:5} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
            f"{r['queries']} queries"
        )
    if args.markdown:
        command = (
            "DATABASE_URL=postgres://.../<scratch> .venv/bin/python bench/conditional_writes.py "
            + " ".join(sys.argv[1:])
        )
        write_section(args.markdown, markdown(results, command))


if __name__ == "__main__":
    main()
