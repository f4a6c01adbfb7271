"""Paginators for admin lists over large tables."""

from functools import cached_property

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet


class LargeTablePaginator(Paginator):
    """Counts without scanning a large table on every page view.

    Unfiltered lists use PostgreSQL's row estimate from the planner statistics; filtered
    lists count at most ``count_cap`` rows. The admin's templates say "about N" or "more
    than N" accordingly (:attr:`count_text`).
    """

    count_cap = 1_000
    estimate_above = 100_000

    count_is_estimate = False
    count_is_capped = False
    # Every matching row's key, when the count read them all (a filtered list under the cap).
    matching_keys: list | None = None

    @cached_property
    def count(self) -> int:
        queryset: QuerySet = self.object_list  # type: ignore[assignment]  # admin lists are querysets
        if not queryset.query.where:
            estimate = self._estimated_table_rows(queryset)
            if estimate is not None and estimate > self.estimate_above:
                self.count_is_estimate = True
                return estimate
        # Neither the order nor the displayed columns matter for counting: without them the
        # database stops after count_cap + 1 matching rows instead of sorting all of them.
        # The keys themselves come back (at most count_cap + 1 integers): when they are all
        # the matching rows, a page is picked among them without filtering the table again.
        keys = list(queryset.order_by().values_list("pk", flat=True)[: self.count_cap + 1])
        if len(keys) > self.count_cap:
            self.count_is_capped = True
            return self.count_cap
        self.matching_keys = keys
        return len(keys)

    @property
    def count_text(self) -> str:
        """The count as the page says it: "about 1,000,000", "more than 1,000" or "17"."""
        count = intcomma(self.count)  # counting first sets the flags below
        if self.count_is_estimate:
            return f"about {count}"
        if self.count_is_capped:
            return f"more than {count}"
        return count

    @staticmethod
    def _estimated_table_rows(queryset) -> int | None:
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
            )
            row = cursor.fetchone()
        return row[0] if row and row[0] > 0 else None
