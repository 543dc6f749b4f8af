"""The API benchmark's parts (bench/): its plain-DRF baseline, its data set, its wrk reader.

No timing here: only that a broken harness is caught before someone runs it.
Run under the benchmark's settings, which mount the baseline at /bench-baseline/.
"""

from decimal import Decimal

import pytest

from bench import dataset
from bench.load import parse_wrk
from customers.models import Customer
from orders.models import Order, OrderItem
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BASELINE = "/bench-baseline/customers/"


@pytest.fixture
def customers(channel):
    rows = [
        CustomerFactory(channel=channel, attributes={"segment": "gold" if i < 3 else "new"})
        for i in range(12)
    ]
    Order.objects.create(channel=channel, customer=rows[0], number="MP-1", amount="10.50")
    Order.objects.create(channel=channel, customer=rows[0], number="MP-2", amount="4.50")
    return rows


def test_baseline_lists_customers_in_drf_default_pages(api, customers):
    response = api.get(BASELINE)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 12
    assert [row["id"] for row in body["results"]] == [c.pk for c in customers[::-1][:10]]
    assert body["next"] == f"http://testserver{BASELINE}?page=2"


def test_baseline_filters_and_orders_as_the_benchmark_asks(api, customers):
    first = customers[0].pk

    gold = api.get(BASELINE, {"attributes__segment": "gold"}).json()
    after = api.get(BASELINE, {"ordering": "id", "id__gt": first}).json()

    assert gold["count"] == 3
    assert after["results"][0]["id"] == customers[1].pk


def test_baseline_detailed_list_sums_the_orders(api, customers):
    rows = api.get(f"{BASELINE}detailed/", {"ordering": "id"}).json()["results"]

    assert rows[0]["channel"]["id"] == customers[0].channel_id
    assert Decimal(rows[0]["orders_info"]["total_order_amount"]) == Decimal("15.00")
    assert rows[0]["orders_info"]["total_order_count"] == 2
    assert rows[1]["orders_info"]["total_order_count"] == 0


def test_baseline_needs_the_token(client, customers):
    assert client.get(BASELINE).status_code == 401


def test_dataset_loads_customers_of_several_channels_with_orders():
    report = dataset.grow_to(50, chunk_size=20)

    customers = list(Customer.objects.select_related("channel"))
    assert report.customers == len(customers) == dataset.bench_customer_count() == 50
    assert len({c.channel.name for c in customers}) >= 2
    assert all(c.channel.name.startswith(dataset.CHANNEL_PREFIX) for c in customers)
    assert len({(c.channel_id, c.channel_code) for c in customers}) == 50
    assert all(c.email.isascii() and "@" in c.email for c in customers)
    assert any(not (c.first_name + c.last_name).isascii() for c in customers)  # Turkish letters
    assert all(dataset.ATTRIBUTE_KEY in c.attributes for c in customers)
    assert {c.sms_allowed for c in customers} == {True, False}
    assert {c.is_active for c in customers} == {True, False}
    assert all(dataset.START <= c.created_date <= c.modified_date <= dataset.END for c in customers)
    assert len({c.created_date.date() for c in customers}) > 10
    assert report.orders == Order.objects.count() > 0
    assert report.items == OrderItem.objects.count() >= report.orders
    assert dataset.foreign_customer_count() == 0


def test_dataset_grows_by_the_difference_only(channel):
    dataset.grow_to(30)
    CustomerFactory(channel=channel)

    grown = dataset.grow_to(45)

    assert grown.customers == 15
    assert dataset.bench_customer_count() == 45
    assert dataset.grow_to(45).customers == 0
    assert dataset.foreign_customer_count() == 1


WRK_REPORT = """\
Running 1s test @ http://127.0.0.1:18600/api/v1/customers/
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.11ms    3.11ms  30.90ms   92.73%
    Req/Sec     1.26k   423.82     1.87k    70.00%
  Latency Distribution
     50%  850.00us
     75%    2.18ms
     90%    4.51ms
     99%    1.20s
  1256 requests in 1.00s, 637.81KB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   1250.92
Transfer/sec:    635.24KB
"""


def test_wrk_report_is_read_in_milliseconds():
    result = parse_wrk(WRK_REPORT)

    assert result.requests == 1256
    assert result.requests_per_second == 1250.92
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1200)
    assert (result.non_2xx, result.socket_errors, result.failed) == (4, 3, 7)


def test_wrk_report_without_latencies_is_refused():
    with pytest.raises(ValueError, match="Not a wrk --latency report"):
        parse_wrk("Running 1s test @ http://127.0.0.1:1/\n")
