"""Search the catalog: Chinese words, single characters and pinyin initials, ranked, filtered.

    search_items("营业执照", town="610124101", page=1, page_size=20) -> SearchPage
    reindex()            # rebuild the whole index (the demo loader, ``manage.py reindex_catalog``)
    reindex([item.pk])   # one item (done for you when a guide version comes into force)

How it works (``docs/catalog/search.md``): ``text`` segments with jieba and our dictionary of
government terms and adds pinyin; ``indexing`` writes one ``SearchEntry`` per item with a
version in force; ``engine`` turns a query into SQLite FTS5 or PostgreSQL tsvector SQL.
Only active items with a version in force are found.
"""

from dataclasses import dataclass, field

from django.db import connection

from tongban.catalog.models import ServiceItem
from tongban.catalog.search import engine
from tongban.catalog.search.indexing import reindex

__all__ = ["MAX_PAGE_SIZE", "SearchPage", "reindex", "search_items"]

MAX_PAGE_SIZE = 500


@dataclass
class SearchPage:
    """One page of results: ``count`` over all pages, ``items`` in rank order."""

    count: int
    items: list[ServiceItem] = field(default_factory=list)


def search_items(
    q: str = "",
    *,
    department: str | None = None,
    item_type: str | None = None,
    service_object: str | None = None,
    online_depth: int | None = None,
    town: str | None = None,
    topic: str | None = None,
    city_wide: bool | None = None,
    cross_province: bool | None = None,
    page: int = 1,
    page_size: int = 20,
) -> SearchPage:
    """Active items with a version in force matching ``q`` and the filters, one page.

    ``q`` empty: every item passing the filters, by implementation code. Otherwise ranked:
    items whose name matches first. ``department`` is a ``Department.code``; ``town`` a
    town's statistical code (items accepted there or at one of its villages);
    ``service_object`` ``person`` or ``enterprise`` includes the items serving both.
    Items come with ``current_guide``, ``department`` and ``base_item`` loaded.
    """
    page = max(int(page), 1)
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    limit, offset = page_size, (page - 1) * page_size
    where, params = engine.filters(
        department=department,
        item_type=item_type,
        service_object=service_object,
        online_depth=online_depth,
        town=town,
        topic=topic,
        city_wide=city_wide,
        cross_province=cross_province,
    )
    q = (q or "").strip()
    terms = engine.parse(q) if q else None
    if terms == []:
        return SearchPage(0)
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if terms is None:
            ids, count = _page(
                cursor, engine.listing_sql(where, params, limit=limit, offset=offset)
            )
            if not ids and offset:
                count = _count(cursor, engine.count_sql(vendor, None, where, params))
        else:
            for any_term in (False, True) if len(terms) > 1 else (False,):
                sql = engine.ranked_sql(
                    vendor, terms, where, params, any_term=any_term, limit=limit, offset=offset
                )
                ids, count = _page(cursor, sql)
                if not ids and offset:
                    sql = engine.count_sql(vendor, terms, where, params, any_term=any_term)
                    count = _count(cursor, sql)
                if count:
                    break
    if not ids:
        return SearchPage(count)
    found = ServiceItem.objects.select_related("current_guide", "department", "base_item")
    loaded = found.in_bulk(ids)
    return SearchPage(count, [loaded[pk] for pk in ids if pk in loaded])


def _page(cursor, statement) -> tuple[list[int], int]:
    cursor.execute(*statement)
    rows = cursor.fetchall()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


def _count(cursor, statement) -> int:
    cursor.execute(*statement)
    return cursor.fetchone()[0]
