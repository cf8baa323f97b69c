"""A paginator for tables of millions of rows (cases, audit records) in the admin.

Django's admin counts the rows of every change list (``SELECT COUNT(*)``), which on
PostgreSQL reads the whole table: at a million cases that is most of a second per page.
When the rows are a whole table, unfiltered, PostgreSQL's own estimate (``pg_class.reltuples``,
kept by autovacuum/ANALYZE) is good enough for the page links; a filtered list, and any other
database, is counted exactly.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.db import connections

# Below this estimate an exact count is cheap and the page links are exact.
EXACT_BELOW = 100_000


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        estimate = _estimate(self.object_list)
        if estimate is not None and estimate >= EXACT_BELOW:
            return estimate
        return super().count


def _estimate(rows) -> int | None:
    query = getattr(rows, "query", None)
    if query is None or query.where or query.distinct or query.combinator:
        return None
    connection = connections[rows.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [rows.model._meta.db_table],
        )
        found = cursor.fetchone()
    return int(found[0]) if found and found[0] > 0 else None
