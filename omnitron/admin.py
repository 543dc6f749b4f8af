"""Admin pieces shared by the apps' ModelAdmins."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from omnitron.counting import bounded_count


class BoundedCountPaginator(Paginator):
    """A paginator whose count reads at most EXACT_COUNT_LIMIT rows (see omnitron.counting).

    For the change lists of tables with millions of rows: with the admin's
    `show_full_result_count = False`, a page load runs no full COUNT(*).
    """

    @cached_property
    def count(self) -> int:
        count, self.count_is_exact = bounded_count(self.object_list)
        return count
