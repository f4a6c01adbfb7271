"""Paginators for admin lists over large tables."""

import json
from functools import cached_property

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import EmptyResultSet
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
    # A filtered list the planner expects to match at most this many rows (PostgreSQL) is
    # counted in display order: see count.
    in_order_below = 2 * count_cap

    count_is_estimate = False
    count_is_capped = False
    # Every matching row's key, when the count read them all (a filtered list under the cap).
    matching_keys: list | None = None
    # The first count_cap + 1 matching keys in display order, when the count read them so.
    keys_in_order: list | None = None

    @cached_property
    def count(self) -> int:
        queryset: QuerySet = self.object_list  # type: ignore[assignment]  # admin lists are querysets
        if not queryset.query.where:
            estimate = self._estimated_table_rows(queryset)
            if estimate is not None and estimate > self.estimate_above:
                self.count_is_estimate = True
                return estimate
        if self._few_expected(queryset):
            # Few matching rows: the page cannot be found without reading them all (walking
            # the newest-first index would visit thousands of rows per row shown), so one
            # statement reads the first count_cap + 1 in display order; a page among them is
            # then picked by position, and the filters run once rather than twice.
            keys = list(queryset.values_list("pk", flat=True)[: self.count_cap + 1])
            self.keys_in_order = keys
        else:
            # Neither the order nor the displayed columns matter for counting: without them
            # the database stops after count_cap + 1 matching rows instead of sorting all of
            # them. The keys themselves come back (at most count_cap + 1 integers): when
            # they are all the matching rows, a page is picked among them without filtering
            # the table again.
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

    def _few_expected(self, queryset: QuerySet) -> bool:
        """Whether PostgreSQL's planner expects at most ``in_order_below`` matching rows.

        Only the plan's estimate, never a count: the answer picks how to count, not what.
        """
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or queryset.query.distinct or not queryset.ordered:
            return False
        try:
            sql, params = queryset.order_by().values("pk").query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            return True  # conditions that cannot hold: no rows, and no query to read them

        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return plan[0]["Plan"]["Plan Rows"] <= self.in_order_below

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
