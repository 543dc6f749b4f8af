"""API benchmark: the service against a plain DRF baseline, at growing table sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/apibench \\
        .venv/bin/python bench/api.py --sizes 10000,100000,1000000 --markdown bench/results.md

For each size, smallest first, in the one database DATABASE_URL names (use a
scratch database: the run refuses one holding customers it did not make,
unless --yes):

1. grows the data set to that many customers (bench/dataset.py), then VACUUM ANALYZE;
2. counts the SQL queries of one request of each scenario, in this process
   (Django's test client), for the service and for the baseline (bench/baseline/);
3. loads each scenario with wrk (bench/load.py) against granian (bench/server.py)
   for --duration seconds a side, after --warmup seconds, in --rounds alternating
   rounds (service, baseline, service, ...);
4. imports a generated order file (bench/generate_orders.py) with
   `manage.py import_orders`, and its first lines one service call at a time
   (bench/import_orders.py's naive loop) as the import's baseline.

Then prints one table per size, the cross-size ratios the goals ask for, the
goals met or not, and the machine; --markdown writes the same as Markdown, as
its section of that file (bench/results.py; --section names another one).
--without-baseline loads the service alone: at ten million customers the
baseline's exact counts and JSON scans outlast wrk's run, and would still hold
the database while the service's next scenario is measured. Through PgBouncer
(scripts/pgbouncer.sh), the report says so:

    DATABASE_URL=postgres://postgres@127.0.0.1:6432/apibench10m \\
        .venv/bin/python bench/api.py --sizes 10000,10000000 --without-baseline \\
        --naive-import-orders 0 --markdown bench/results.md \\
        --section "API at ten million customers, through PgBouncer (bench/api.py)"
Needs Debian's wrk (`apt-get install -y wrk`). Not part of the test suite.
"""

import argparse
import contextlib
import dataclasses
import io
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The baseline is mounted in this process too, to count its queries.
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

import granian  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from addresses.models import Address  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from bench import dataset  # noqa: E402
from bench.generate_orders import OrderFileGenerator  # noqa: E402
from bench.load import LoadResult, random_ids_script, run_wrk, wrk_path  # noqa: E402
from bench.results import write_section  # noqa: E402
from bench.server import ServerConfig, running_server, status_of  # noqa: E402
from channels.models import Channel, ChannelType  # noqa: E402
from customers.management.commands.create_api_user import grant_api_access  # noqa: E402
from customers.models import Customer, IntegrationMapping  # noqa: E402
from locations.models import Country  # noqa: E402
from orders.models import ImportJob, Order, OrderItem  # noqa: E402
from privacy.models import ConsentChange, FormerAddress  # noqa: E402

API_SECTION = "API against the plain-DRF baseline (bench/api.py)"
API = "/api/v1/customers/"
BASELINE = "/bench-baseline/customers/"
LIST_SIMPLE = "/api/v1/oms/customers/list-simple/"
PAGE_SIZE = 10  # the service's default `limit` and the baseline's PAGE_SIZE
DEEP_PAGE_SHARE = 0.9
SAMPLE_IDS = 1000
QUERY_LIMITS = (1, 10, 100)  # page sizes at which the service's list queries are counted
BENCH_USER = "apibench"

# The goals of the issue.
MAX_P50_GROWTH = 1.5
MIN_LIST_RATIO = 2.0
MAX_KEYSET_GROWTH = 1.2
SIDES = ("ours", "baseline")
MIN_IMPORT_RATE = 2000


@dataclasses.dataclass(frozen=True)
class Target:
    """One request, or with `ids` a request per customer drawn from them (`path % id`)."""

    path: str
    method: str = "GET"
    body: str = ""
    ids: tuple[int, ...] = ()

    def one_path(self) -> str:
        return self.path % self.ids[0] if self.ids else self.path


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # list, item, write, deep, keyset
    ours: Target
    baseline: Target


@dataclasses.dataclass
class Measured:
    load: LoadResult | None = None
    queries: int | None = None
    note: str = ""  # why there are no figures, or what went wrong


@dataclasses.dataclass
class ScenarioResult:
    scenario: Scenario
    ours: Measured
    baseline: Measured
    matches: int | None = None
    queries_by_limit: dict[int, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ImportResult:
    lines: int
    rate: float
    naive_lines: int
    naive_rate: float
    audit_events: int


@dataclasses.dataclass
class SizeResult:
    size: int
    load: dataset.LoadReport
    load_total_seconds: float
    scenarios: list[ScenarioResult]
    import_result: ImportResult | None
    phase_seconds: dict[str, float]  # queries, load (wrk), import


@dataclasses.dataclass(frozen=True)
class Settings:
    duration: float
    warmup: float
    connections: int
    threads: int
    server: ServerConfig
    import_orders: int
    rounds: int
    naive_import_orders: int
    # Without the baseline: at ten million rows its queries outlast wrk's run and
    # would still be running on the database while the service's next scenario is measured.
    without_baseline: bool = False


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The scenarios ------------------------------------------------------------------------------


def scenarios_for_table() -> list[Scenario]:
    """Every scenario, with parameters read from the table as it is now."""
    channel = dataset.bench_channels()[0]
    total = Customer.objects.count()
    ids = tuple(
        Customer.objects.filter(channel__name__startswith=dataset.CHANNEL_PREFIX)
        .order_by("?")
        .values_list("pk", flat=True)[:SAMPLE_IDS]
    )
    deep_page = max(1, int(total * DEEP_PAGE_SHARE) // PAGE_SIZE)
    # The id before the last page: `id__gt` of it answers the last PAGE_SIZE rows.
    before_last = Customer.objects.order_by("-pk").values_list("pk", flat=True)[
        PAGE_SIZE : PAGE_SIZE + 1
    ]
    before_last = before_last[0] if before_last else 0
    recent = dataset.RECENT_SINCE.strftime("%Y-%m-%dT%H:%M:%SZ")
    attribute = f"attributes__{dataset.ATTRIBUTE_KEY}={dataset.ATTRIBUTE_VALUE}"
    same_query = [
        ("list page 1", ""),
        ("email__startswith", f"?email__startswith={dataset.EMAIL_PREFIX}"),
        ("channel + is_active", f"?channel={channel.pk}&is_active=true"),
        (f"attributes__{dataset.ATTRIBUTE_KEY}", f"?{attribute}"),
        ("created_date__gte", f"?created_date__gte={recent}"),
    ]
    scenarios = [
        Scenario(name, "list", Target(API + query), Target(BASELINE + query))
        for name, query in same_query
    ]
    patch_body = '{"erp_code": "P%s"}'
    scenarios += [
        Scenario(
            "sort=-modified_date",
            "list",
            Target(API + "?sort=-modified_date"),
            Target(BASELINE + "?ordering=-modified_date"),
        ),
        Scenario(
            "/detailed/ list", "list", Target(API + "detailed/"), Target(BASELINE + "detailed/")
        ),
        Scenario(
            "detail GET", "item", Target(API + "%d/", ids=ids), Target(BASELINE + "%d/", ids=ids)
        ),
        Scenario(
            "PATCH",
            "write",
            Target(API + "%d/", "PATCH", patch_body, ids),
            Target(BASELINE + "%d/", "PATCH", patch_body, ids),
        ),
        Scenario(
            f"deep page ({deep_page})",
            "deep",
            Target(f"{API}?page={deep_page}"),
            Target(f"{BASELINE}?page={deep_page}"),
        ),
        Scenario(
            "keyset page, first",
            "keyset",
            Target(f"{LIST_SIMPLE}?sort=id&id__gt=0&limit={PAGE_SIZE}"),
            Target(f"{BASELINE}?ordering=id&id__gt=0"),
        ),
        Scenario(
            "keyset page, last",
            "keyset",
            Target(f"{LIST_SIMPLE}?sort=id&id__gt={before_last}&limit={PAGE_SIZE}"),
            Target(f"{BASELINE}?ordering=id&id__gt={before_last}"),
        ),
    ]
    return scenarios


# --- Measuring ----------------------------------------------------------------------------------


def bench_token() -> str:
    user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
    return grant_api_access(user)


def probe_in_process(
    client: APIClient, target: Target, *, query: str = ""
) -> tuple[int, int, dict]:
    """(status, SQL queries, JSON body) of one request of `target`, served in this process."""
    path = target.one_path() + query
    body = target.body % "probe" if target.body else ""
    # The first request of a process fills caches (content types): count the second.
    client.generic(target.method, path, body, content_type="application/json")
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(target.method, path, body, content_type="application/json")
    data = (
        response.json() if response.get("Content-Type", "").startswith("application/json") else {}
    )
    return response.status_code, len(queries), data if isinstance(data, dict) else {}


def count_queries(client: APIClient, result: ScenarioResult, settings: Settings) -> None:
    scenario = result.scenario
    status, queries, data = probe_in_process(client, scenario.ours)
    if status == 200:
        result.ours.queries = queries
        if settings.without_baseline:
            result.matches = data.get("count")
        if scenario.kind == "list":
            for limit in QUERY_LIMITS:
                result.queries_by_limit[limit] = probe_in_process(
                    client,
                    scenario.ours,
                    query=f"{'&' if '?' in scenario.ours.path else '?'}limit={limit}",
                )[1]
    if settings.without_baseline:
        result.baseline.note = "not run (--without-baseline)"
        return
    status, queries, data = probe_in_process(client, scenario.baseline)
    if status == 200:
        result.baseline.queries = queries
        result.matches = data.get("count")


def load_runner(
    base_url: str, target: Target, headers: dict[str, str], settings: Settings, script: Path
) -> Callable[[float], LoadResult] | str:
    """A function loading `target` for some seconds, or why it cannot be loaded (not a 200)."""
    body = (target.body % "probe").encode() if target.body else None
    status = status_of(
        base_url + target.one_path(),
        {**headers, "Content-Type": "application/json"},
        method=target.method,
        body=body,
    )
    if status != 200:
        return f"n/a (HTTP {status})"
    url = base_url + target.path
    if target.ids:
        random_ids_script(
            script, target.path, list(target.ids), method=target.method, body=target.body
        )
        url = base_url + "/"

    def run(seconds: float) -> LoadResult:
        return run_wrk(
            url,
            duration=seconds,
            connections=settings.connections,
            threads=settings.threads,
            headers=headers,
            script=script if target.ids else None,
        )

    return run


def measure_together(
    base_url: str,
    scenarios: list[Scenario],
    headers: dict[str, str],
    settings: Settings,
    folder: Path,
) -> list[dict[str, Measured]]:
    """Both sides of each scenario, in alternating rounds: ours, the baseline, ours, ...

    The machine's speed drifts (other tenants of the host, the database's
    background work): in rounds, a slow patch falls on every figure a goal
    compares, rather than on whichever ran then. Scenarios measured together
    share the rounds (the keyset walk's first and last page, which a goal
    compares with each other). Each runner warms up once, before its first round.
    """
    sides = SIDES[:1] if settings.without_baseline else SIDES
    runners = {
        (index, side): load_runner(
            base_url, getattr(scenario, side), headers, settings, folder / f"{index}-{side}.lua"
        )
        for index, scenario in enumerate(scenarios)
        for side in sides
    }
    rounds: dict[tuple[int, str], list[LoadResult]] = {key: [] for key in runners}
    for runner in runners.values():
        if callable(runner) and settings.warmup > 0:
            runner(settings.warmup)
    for _ in range(settings.rounds):
        for key, runner in runners.items():
            if callable(runner):
                rounds[key].append(runner(settings.duration / settings.rounds))
    measured: list[dict[str, Measured]] = [{} for _ in scenarios]
    for (index, side), runner in runners.items():
        if not callable(runner):
            measured[index][side] = Measured(note=runner)
            continue
        load = combined(rounds[index, side])
        note = f"{load.failed} of {load.requests} failed" if load.failed else ""
        measured[index][side] = Measured(load=load, note=note)
    return measured


def load_groups(results: list[ScenarioResult]) -> list[list[ScenarioResult]]:
    """The scenarios in the groups they are loaded in: the keyset pages as one, others alone."""
    keyset = [r for r in results if r.scenario.kind == "keyset"]
    groups = [[r] for r in results if r.scenario.kind != "keyset"]
    return groups + ([keyset] if keyset else [])


def combined(rounds: list[LoadResult]) -> LoadResult:
    """Rounds as one: requests/s over their whole time, the median p50, the largest p99."""
    seconds = sum(r.requests / r.requests_per_second for r in rounds if r.requests_per_second)
    requests = sum(r.requests for r in rounds)
    return LoadResult(
        requests=requests,
        requests_per_second=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p99_ms=max(r.p99_ms for r in rounds),
        non_2xx=sum(r.non_2xx for r in rounds),
        socket_errors=sum(r.socket_errors for r in rounds),
    )


def measure_size(size: int, settings: Settings, token: str, log_path: Path) -> SizeResult:
    started = time.perf_counter()
    have = dataset.bench_customer_count()
    log(f"== {size:,} customers: loading {max(0, size - have):,} more")
    report = dataset.grow_to(
        size,
        progress=lambda r, total: log(
            f"   {total:>9,} customers ({r.orders:,} orders, {r.items:,} items) {r.seconds:6.1f} s"
        ),
    )
    dataset.analyze()
    load_seconds = time.perf_counter() - started
    log(f"   loaded in {report.seconds:.1f} s, with VACUUM ANALYZE {load_seconds:.1f} s")

    phases = {}
    phase_started = time.perf_counter()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    results = [ScenarioResult(s, Measured(), Measured()) for s in scenarios_for_table()]
    for result in results:
        count_queries(client, result, settings)
    phases["queries"] = time.perf_counter() - phase_started
    phase_started = time.perf_counter()
    headers = {"Authorization": f"Token {token}"}
    with (
        tempfile.TemporaryDirectory() as folder,
        running_server(settings.server, API + "?limit=1", headers, log_path) as base_url,
    ):
        for group in load_groups(results):
            scenarios = [result.scenario for result in group]
            measured = measure_together(base_url, scenarios, headers, settings, Path(folder))
            for result, sides in zip(group, measured, strict=True):
                if settings.without_baseline:
                    sides["baseline"] = result.baseline
                for side, figures in sides.items():
                    figures.queries = getattr(result, side).queries
                    setattr(result, side, figures)
                    log(f"   {result.scenario.name:<24} {side:<8} {describe(figures)}")
    phases["load"] = time.perf_counter() - phase_started
    # The PATCH scenario leaves dead rows and dirty pages: settle them first, so
    # the import is not measured against the autovacuum and checkpoint they start.
    dataset.settle()
    phase_started = time.perf_counter()
    import_result = measure_import(settings) if settings.import_orders else None
    phases["import"] = time.perf_counter() - phase_started
    return SizeResult(size, report, load_seconds, results, import_result, phases)


def describe(measured: Measured) -> str:
    if measured.load is None:
        return measured.note
    load = measured.load
    return (
        f"{load.requests_per_second:8.1f} req/s  p50 {load.p50_ms:7.1f} ms  "
        f"p99 {load.p99_ms:7.1f} ms  {measured.note}"
    )


# --- The import ---------------------------------------------------------------------------------


def import_channel(name: str) -> Channel:
    return Channel.objects.create(
        name=f"{dataset.IMPORT_CHANNEL_PREFIX}{name}", catalog=1, channel_type=ChannelType.WEB
    )


def measure_import(settings: Settings) -> ImportResult:
    """orders/s of `import_orders`, and of the naive one-call-per-order loop over the first lines.

    Both import into channels of their own, removed afterwards with their
    customers, orders and audit records, so the next size starts from the data set only.
    """
    from bench.import_orders import import_naively  # sets Django up: import only when needed

    if not Country.objects.filter(code="TR").exists():  # the places the orders ship to
        call_command("load_locations", stdout=io.StringIO())
    generator = OrderFileGenerator(settings.import_orders, max(1, settings.import_orders * 3 // 10))
    lines = list(generator.lines())
    head = lines[: settings.naive_import_orders]
    try:
        with tempfile.TemporaryDirectory() as folder:
            whole, first = Path(folder) / "orders.jsonl", Path(folder) / "head.jsonl"
            whole.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
            first.write_text("".join(f"{line}\n" for line in head), encoding="utf-8")
            channel = import_channel("batched")
            audit_before = AuditEvent.objects.count()
            started = time.perf_counter()
            call_command(
                "import_orders",
                "--channel",
                str(channel.pk),
                str(whole),
                "--rejects",
                os.devnull,
                stdout=io.StringIO(),
            )
            seconds = time.perf_counter() - started
            audit_events = AuditEvent.objects.count() - audit_before
            naive_seconds = 0.0
            if head:
                naive_channel = import_channel("naive")
                started = time.perf_counter()
                import_naively(naive_channel, first)
                naive_seconds = time.perf_counter() - started
    finally:
        remove_import_channels()
    result = ImportResult(
        lines=len(lines),
        rate=len(lines) / seconds,
        naive_lines=len(head),
        naive_rate=len(head) / naive_seconds if naive_seconds else 0.0,
        audit_events=audit_events,
    )
    log(
        f"   import: {result.rate:,.0f} orders/s ({result.lines:,} lines, "
        f"{audit_events:,} audit records); naive {result.naive_rate:,.0f} orders/s"
    )
    return result


def remove_import_channels() -> None:
    """Delete the import channels and all they hold, in a few set-wise statements."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    channels = f"SELECT id FROM {table(Channel)} WHERE name LIKE %s"
    orders = f"SELECT id FROM {table(Order)} WHERE channel_id IN ({channels})"
    customers = f"SELECT id FROM {table(Customer)} WHERE channel_id IN ({channels})"
    pattern = dataset.IMPORT_CHANNEL_PREFIX + "%"
    addresses = f"SELECT id FROM {table(Address)} WHERE customer_id IN ({customers})"
    types = ContentType.objects.get_for_models(Order, Customer, Address)
    statements = [
        (
            f"DELETE FROM {table(AuditEvent)} "
            f"WHERE content_type_id = %s AND object_id IN ({orders})",
            [types[Order].pk, pattern],
        ),
        (
            f"DELETE FROM {table(AuditEvent)} "
            f"WHERE content_type_id = %s AND object_id IN ({customers})",
            [types[Customer].pk, pattern],
        ),
        (f"DELETE FROM {table(OrderItem)} WHERE order_id IN ({orders})", [pattern]),
        (
            f"DELETE FROM {table(AuditEvent)} "
            f"WHERE content_type_id = %s AND object_id IN ({addresses})",
            [types[Address].pk, pattern],
        ),
        (f"DELETE FROM {table(Order)} WHERE channel_id IN ({channels})", [pattern]),
        (f"DELETE FROM {table(Address)} WHERE customer_id IN ({customers})", [pattern]),
        *(
            (f"DELETE FROM {table(model)} WHERE customer_id IN ({customers})", [pattern])
            for model in (ConsentChange, FormerAddress, IntegrationMapping)
        ),
        (f"DELETE FROM {table(ImportJob)} WHERE channel_id IN ({channels})", [pattern]),
        (f"DELETE FROM {table(Customer)} WHERE channel_id IN ({channels})", [pattern]),
        (f"DELETE FROM {table(Channel)} WHERE name LIKE %s", [pattern]),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


# --- The report ---------------------------------------------------------------------------------


@dataclasses.dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    notes: list[str] = dataclasses.field(default_factory=list)
    numbers: bool = True  # right-align every column but the first

    def text(self) -> str:
        widths = [
            max(len(row[i]) for row in [self.headers, *self.rows]) for i in range(len(self.headers))
        ]

        def line(cells: list[str]) -> str:
            return "  ".join(
                cell.rjust(width) if i and self.numbers else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()

        out = [self.title, line(self.headers), line(["-" * w for w in widths])]
        out += [line(row) for row in self.rows]
        out += self.notes
        return "\n".join(out)

    def markdown(self) -> str:
        align = ["---"] + ["---:" if self.numbers else "---"] * (len(self.headers) - 1)
        out = [f"**{self.title}**", "", "| " + " | ".join(self.headers) + " |"]
        out.append("| " + " | ".join(align) + " |")
        out += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows
        ]
        if self.notes:
            out += [""] + [f"{note}  " for note in self.notes]
        return "\n".join(out)


def rate(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if not numerator or not denominator:
        return "n/a"
    return f"{numerator / denominator:.2f}x"


def figures(measured: Measured) -> list[str]:
    if measured.load is None:
        return [measured.note or "n/a", "", "", str(measured.queries or "")]
    load = measured.load
    return [rate(load.requests_per_second), ms(load.p50_ms), ms(load.p99_ms), str(measured.queries)]


def size_table(result: SizeResult) -> Table:
    headers = [
        "scenario", "rows", "req/s", "p50 ms", "p99 ms", "queries",
        "base req/s", "base p50", "base p99", "base queries", "ratio",
    ]  # fmt: skip
    rows, notes = [], []
    for item in result.scenarios:
        ours, base = item.ours.load, item.baseline.load
        rows.append(
            [
                item.scenario.name,
                "" if item.matches is None else f"{item.matches:,}",
                *figures(item.ours),
                *figures(item.baseline),
                ratio(ours and ours.requests_per_second, base and base.requests_per_second),
            ]
        )
        for side in SIDES:
            measured = getattr(item, side)
            if measured.load is not None and measured.note:
                notes.append(f"{item.scenario.name}, {side}: {measured.note}")
    imported = result.import_result
    if imported:
        rows.append(
            [
                "import (orders/s)",
                f"{imported.lines:,}",
                rate(imported.rate),
                "", "", "",
                rate(imported.naive_rate),
                "", "", "",
                ratio(imported.rate, imported.naive_rate),
            ]
        )  # fmt: skip
        notes.append(
            f"import: `import_orders` over {imported.lines:,} lines "
            f"({imported.audit_events:,} audit records); baseline: one service call per order "
            f"over the first {imported.naive_lines:,}."
        )
    load = result.load
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in result.phase_seconds.items())
    notes.insert(
        0,
        f"Loaded {load.customers:,} customers, {load.orders:,} orders, {load.items:,} items in "
        f"{load.seconds:.0f} s ({result.load_total_seconds:.0f} s with VACUUM ANALYZE); "
        f"then {phases}.",
    )
    return Table(f"{result.size:,} customers", headers, rows, notes)


def by_name(result: SizeResult) -> dict[str, ScenarioResult]:
    # Deep pages are named by their page number, which differs by size.
    return {r.scenario.name.split(" (")[0]: r for r in result.scenarios}


def p50(measured: Measured) -> float | None:
    return measured.load.p50_ms if measured.load else None


def scaling_table(results: list[SizeResult]) -> Table:
    first, last = results[0], results[-1]
    small, large = by_name(first), by_name(last)
    headers = ["scenario"]
    headers += [f"p50 ms at {r.size:,}" for r in results]
    headers += [f"ratio {last.size:,}/{first.size:,}", "base ratio"]
    rows = []
    for name, item in small.items():
        if item.scenario.kind not in ("list", "deep"):
            continue
        per_size = [p50(by_name(r)[name].ours) for r in results]
        rows.append(
            [
                name,
                *[ms(v) for v in per_size],
                ratio(per_size[-1], per_size[0]),
                ratio(p50(large[name].baseline), p50(item.baseline)),
            ]
        )
    notes = [
        f"Goal: at most {MAX_P50_GROWTH}x for each list and filter scenario "
        "(the deep page is shown, not a goal)."
    ]
    return Table("p50 growth with the table", headers, rows, notes)


def keyset_table(results: list[SizeResult]) -> Table:
    headers = [
        "size",
        "first p50 ms",
        "last p50 ms",
        "last/first",
        "base first",
        "base last",
        "base last/first",
    ]
    rows = []
    for result in results:
        named = by_name(result)
        first, last = named["keyset page, first"], named["keyset page, last"]
        rows.append(
            [
                f"{result.size:,}",
                ms(p50(first.ours)),
                ms(p50(last.ours)),
                ratio(p50(last.ours), p50(first.ours)),
                ms(p50(first.baseline)),
                ms(p50(last.baseline)),
                ratio(p50(last.baseline), p50(first.baseline)),
            ]
        )
    notes = [
        f"Service: {LIST_SIMPLE}?sort=id&id__gt=<id>&limit={PAGE_SIZE}; baseline: "
        f"{BASELINE}?ordering=id&id__gt=<id>. Goal: last/first at most {MAX_KEYSET_GROWTH}x."
    ]
    return Table("Keyset walk: page cost, first page and last page", headers, rows, notes)


def queries_table(results: list[SizeResult]) -> Table:
    headers = ["scenario"] + [
        f"at {r.size:,} (limit {'/'.join(map(str, QUERY_LIMITS))})" for r in results
    ]
    headers.append("constant")
    rows = []
    for name, item in by_name(results[0]).items():
        if item.scenario.kind != "list":
            continue
        counts = [by_name(r)[name].queries_by_limit for r in results]
        cells = ["/".join(str(c[limit]) for limit in QUERY_LIMITS) if c else "n/a" for c in counts]
        values = {v for c in counts for v in c.values()}
        rows.append([name, *cells, "yes" if len(values) == 1 and all(counts) else "no"])
    notes = ["A filter matching no row runs one query fewer: DRF reads no page after a count of 0."]
    return Table(
        "SQL queries per list request (service), by page size and table size", headers, rows, notes
    )


def goals_table(results: list[SizeResult], database_vendor: str) -> Table:
    first, last = results[0], results[-1]
    rows = []

    def add(goal: str, value: str, met: bool | None) -> None:
        rows.append([goal, value, "n/a" if met is None else ("met" if met else "NOT met")])

    growth = []
    for name, item in by_name(first).items():
        if item.scenario.kind == "list":
            a, b = p50(item.ours), p50(by_name(last)[name].ours)
            growth.append((b / a if a and b else None, name))
    known = [g for g in growth if g[0] is not None]
    if known and last.size > first.size:
        worst, name = max(known)
        add(
            f"list/filter p50 at {last.size:,} <= {MAX_P50_GROWTH}x p50 at {first.size:,}",
            f"worst {worst:.2f}x ({name})",
            worst <= MAX_P50_GROWTH,
        )
    else:
        add(f"list/filter p50 growth <= {MAX_P50_GROWTH}x", "needs two sizes", None)
    constant = queries_table(results).rows
    varying = [row[0] for row in constant if row[-1] != "yes"]
    add(
        "queries per list request the same at every page and table size",
        "varies: " + ", ".join(varying) if varying else "constant",
        not varying,
    )
    ratios = []
    for result in results:
        for item in result.scenarios:
            if item.scenario.kind == "list" and item.ours.load and item.baseline.load:
                value = item.ours.load.requests_per_second / item.baseline.load.requests_per_second
                ratios.append((value, f"{item.scenario.name} at {result.size:,}"))
    if ratios:
        worst, where = min(ratios)
        add(
            f"list throughput >= {MIN_LIST_RATIO}x baseline",
            f"worst {worst:.2f}x ({where})",
            worst >= MIN_LIST_RATIO,
        )
    named = by_name(last)
    keyset = ratio(p50(named["keyset page, last"].ours), p50(named["keyset page, first"].ours))
    keyset_value = float(keyset.rstrip("x")) if keyset != "n/a" else None
    add(
        f"keyset last page <= {MAX_KEYSET_GROWTH}x first page (at {last.size:,})",
        keyset,
        None if keyset_value is None else keyset_value <= MAX_KEYSET_GROWTH,
    )
    imported = last.import_result
    if imported:
        where = (
            "" if database_vendor == "postgresql" else f" (on {database_vendor}, not PostgreSQL)"
        )
        add(
            f"import >= {MIN_IMPORT_RATE:,} orders/s with audit records",
            f"{imported.rate:,.0f} orders/s at {last.size:,}{where}",
            imported.rate >= MIN_IMPORT_RATE if database_vendor == "postgresql" else None,
        )
    return Table("Goals", ["goal", "value", "verdict"], rows, numbers=False)


def machine_description(settings: Settings, load_before: float) -> list[str]:
    cpu = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('server_version'), inet_server_port()")
            version, server_port = cursor.fetchone()
            database = f"PostgreSQL {version.split()[0]}"
            # Through a pooler (PgBouncer), the port connected to is not the server's own.
            port = connection.settings_dict.get("PORT")
            if port and server_port and int(port) != server_port:
                database += f" (port {server_port}), reached through a pooler on port {port},"
        else:
            database = f"{connection.vendor} {connection.Database.sqlite_version}"
    return [
        f"Machine: {cpu}, {os.cpu_count()} cores{memory}; {database} on the same machine; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"granian {granian.__version__}.",
        f"Server: {settings.server.describe()}. Load: wrk, {settings.connections} connections, "
        f"{settings.threads} threads, {settings.duration:g} s a side per scenario in "
        f"{settings.rounds} alternating rounds (service, baseline, ...) after "
        f"{settings.warmup:g} s of warm-up, over loopback; req/s over all rounds, p50 "
        f"their median, p99 their largest. Load average {load_before:.2f} "
        f"before, {os.getloadavg()[0]:.2f} after.",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. rows: what the filter matches ("
        + (
            "the service's count: the planner's estimate above 20,000; the baseline was not run"
            if settings.without_baseline
            else "the baseline's exact count"
        )
        + "); queries: one request of the scenario, counted in-process; "
        "ratio: service req/s / baseline req/s.",
    ]


def report(results: list[SizeResult], settings: Settings, load_before: float) -> tuple[str, str]:
    tables = [size_table(r) for r in results]
    tables += [scaling_table(results), keyset_table(results), queries_table(results)]
    tables.append(goals_table(results, connection.vendor))
    machine = machine_description(settings, load_before)
    text = "\n\n".join(t.text() for t in tables) + "\n\n" + "\n".join(machine)
    markdown = "\n\n".join(t.markdown() for t in tables) + "\n\n" + "  \n".join(machine) + "\n"
    return text, markdown


# --- The entry point ----------------------------------------------------------------------------


def check_database(yes: bool, reset: bool, smallest: int) -> None:
    foreign = dataset.foreign_customer_count()
    if foreign and not yes:
        sys.exit(
            f"This database holds {foreign:,} customers the benchmark did not make. Use a "
            "scratch database (DATABASE_URL), or --yes to run here anyway."
        )
    if reset:
        if foreign:
            sys.exit(
                "--reset deletes every customer, order and audit record: not with foreign data."
            )
        dataset.reset()
    have = dataset.bench_customer_count()
    if have > smallest:
        sys.exit(
            f"The data set already holds {have:,} customers, more than --sizes starts with "
            f"({smallest:,}): use --reset or a fresh database."
        )


def parse_sizes(text: str) -> list[int]:
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    if not sizes or sizes[0] < PAGE_SIZE + 1:
        raise argparse.ArgumentTypeError(f"sizes must be at least {PAGE_SIZE + 1}")
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("10000,100000,1000000"))
    parser.add_argument("--duration", type=float, default=10, help="Seconds of load per scenario.")
    parser.add_argument("--warmup", type=float, default=1, help="Seconds of load before each.")
    parser.add_argument(
        "--rounds", type=int, default=2, help="Alternating rounds a scenario's seconds are cut in."
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, default=2, help="Server workers (2 cores).")
    parser.add_argument(
        "--server-threads", type=int, default=ServerConfig.threads, help="Threads per worker."
    )
    parser.add_argument("--import-orders", type=int, default=20_000, help="0: no import.")
    parser.add_argument("--naive-import-orders", type=int, default=1_000)
    parser.add_argument("--markdown", type=Path, help="Also write the report as Markdown here.")
    parser.add_argument(
        "--section", default=API_SECTION, help="The --markdown file's section to write."
    )
    parser.add_argument(
        "--without-baseline",
        action="store_true",
        help="Load the service alone (at ten million rows the baseline's queries outlast wrk's).",
    )
    parser.add_argument("--yes", action="store_true", help="Run on a database with other data.")
    parser.add_argument(
        "--reset", action="store_true", help="Empty the data set first (customers, orders, audit)."
    )
    args = parser.parse_args(argv)
    wrk_path()
    settings = Settings(
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        threads=args.threads,
        server=ServerConfig(workers=args.workers, threads=args.server_threads),
        import_orders=args.import_orders,
        naive_import_orders=args.naive_import_orders,
        rounds=max(1, args.rounds),
        without_baseline=args.without_baseline,
    )
    load_before = os.getloadavg()[0]
    # The probes ask for what may not exist (list-simple): a 404 is a figure, not a warning.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    remove_import_channels()  # left by an interrupted run
    check_database(args.yes, args.reset, args.sizes[0])
    if connection.vendor != "postgresql":
        log(f"Note: {connection.vendor}, not PostgreSQL: not the figures the goals are about.")
    token = bench_token()
    results = []
    started = time.perf_counter()
    with tempfile.NamedTemporaryFile(prefix="apibench-server-", suffix=".log", delete=False) as f:
        server_log = Path(f.name)
    log(f"server log: {server_log}")
    for size in args.sizes:
        results.append(measure_size(size, settings, token, server_log))
    text, markdown = report(results, settings, load_before)
    print(text)
    log(f"\nTotal {time.perf_counter() - started:.0f} s.")
    if args.markdown:
        write_section(args.section, markdown, args.markdown)
        log(f"Markdown: {args.markdown}, section {args.section!r}")


if __name__ == "__main__":
    main()
