"""List endpoints run a fixed number of SQL queries, whatever the page size.

Per request: the token (1), the user's and its groups' permissions (2), the
count (1) and the page (1); the channel-scoped view adds its channel (1), a
`channel` filter the check of the given channel ids (1).
"""

import pytest

from orders.models import Order
from tests.factories import ChannelFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ROWS = 30


@pytest.fixture
def customers(channel):
    rows = [CustomerFactory(channel=channel, attributes={"tier": str(i % 3)}) for i in range(ROWS)]
    for i, customer in enumerate(rows[:10]):
        Order.objects.create(channel=channel, customer=customer, number=f"MP-{i}", amount="10")
    return rows


@pytest.mark.parametrize(
    ("url", "params", "queries"),
    [
        ("/api/v1/customers/", {}, 5),
        ("/api/v1/customers/", {"sort": "-modified_date", "is_active": "false"}, 5),
        ("/api/v1/customers/", {"attributes__tier": "1", "email__startswith": "c"}, 5),
        ("/api/v1/customers/detailed/", {}, 5),
        ("/api/v1/channel/{channel}/customers/", {}, 6),
        ("/api/v1/channel/{channel}/customers/detailed/", {}, 6),
        ("/api/v1/channels/", {}, 5),
    ],
)
def test_list_queries_do_not_grow_with_the_page(
    api, channel, customers, django_assert_num_queries, url, params, queries
):
    url = url.format(channel=channel.pk)
    for _ in range(3):
        ChannelFactory()
    for limit in (1, ROWS):
        with django_assert_num_queries(queries):
            response = api.get(url, {**params, "limit": limit})
        assert response.status_code == 200
        assert len(response.json()["results"]) >= 1


def test_channel_filter_adds_one_query_for_its_check(
    api, channel, customers, django_assert_num_queries
):
    for limit in (1, ROWS):
        with django_assert_num_queries(6):
            response = api.get("/api/v1/customers/", {"channel": channel.pk, "limit": limit})
        assert response.json()["count"] == ROWS
