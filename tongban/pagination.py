"""Keyset (cursor) pagination: no OFFSET and no COUNT(*), whatever the table size (DESIGN.md §5).

A cursor is the sort-key values of the last row served, JSON in URL-safe base64; the next
page is the rows strictly after it in the same order. ``keys`` must end in a unique field.
"""

import base64
import binascii
import json

from django.db.models import Q, QuerySet

from tongban.errors import InvalidInput

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def page(queryset: QuerySet, *, keys: tuple[str, ...], cursor: str | None, limit: int):
    """One page of rows and the cursor of the next page (``None`` on the last one)."""
    rows = queryset.order_by(*keys)
    if cursor:
        rows = _after(rows, keys, decode_cursor(cursor, len(keys)))
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, None
    found = found[:limit]
    return found, encode_cursor([getattr(found[-1], key) for key in keys])


def encode_cursor(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, size: int) -> list:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise _bad_cursor() from exc
    plain = isinstance(values, list) and all(
        isinstance(value, int | str) and not isinstance(value, bool) for value in values
    )
    if not plain or len(values) != size:
        raise _bad_cursor()
    return values


def _after(rows: QuerySet, keys: tuple[str, ...], values: list) -> QuerySet:
    """Rows after ``values`` in ascending ``keys`` order: a > x, or a = x and b > y, …"""
    condition = Q()
    for index, key in enumerate(keys):
        equal = dict(zip(keys[:index], values[:index], strict=True))
        condition |= Q(**equal, **{f"{key}__gt": values[index]})
    try:
        return rows.filter(condition)
    except (TypeError, ValueError) as exc:
        raise _bad_cursor() from exc


def _bad_cursor() -> InvalidInput:
    return InvalidInput(fields={"cursor": ["分页游标无效,请从第一页重新开始 / invalid cursor"]})
