"""The guide version in force for an item, as intake asks for it on every submission.

Reading it costs a query and the parsing of its form definition; at hundreds of submissions a
second that is a noticeable share of each one. Each process keeps what it read for
``CASES_GUIDE_CACHE_SECONDS`` (5 by default) and forgets it at once when a new version is
published in this process (``catalog.signals.guide_published``). In another process a new
version or a withdrawn item is seen at most that many seconds late; a case filed in that
window pins the version that was in force a moment before, which is what it was filed against.
"""

import copy
import threading
import time

from django.conf import settings
from django.db.models import F

from tongban.catalog.models import Guide
from tongban.errors import NotFound

_lock = threading.Lock()
_cache: dict[str, tuple[float, Guide]] = {}


def guide_in_force(item_code: str) -> Guide:
    """The guide version in force, with its item: the condition of
    ``catalog.services.published_guide`` without loading what only pages show (one query,
    none while cached). Each caller gets its own copy of the cached object."""
    seconds = settings.CASES_GUIDE_CACHE_SECONDS
    now = time.monotonic()
    found = _cache.get(item_code)
    if found is not None and now - found[0] < seconds:
        return copy.copy(found[1])
    guide = _read(item_code)
    if seconds > 0:
        with _lock:
            _cache[item_code] = (now, guide)
    return copy.copy(guide)


def _read(item_code: str) -> Guide:
    guide = (
        Guide.objects.select_related("item")
        .filter(
            item__implementation_code=item_code,
            item__is_active=True,
            item__current_guide=F("pk"),
        )
        .first()
    )
    if guide is None:
        raise NotFound("没有找到该事项的现行办事指南", "No guide in force for this item")
    return guide


def forget(sender=None, **kwargs) -> None:
    """A new version came into force: drop every cached guide of this process."""
    with _lock:
        _cache.clear()
