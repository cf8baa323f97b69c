"""What the home page shows, from live data, in a fixed handful of queries.

The public part (hot items, life events, departments with their item counts, the service
network) is the same for everybody and is cached for ``PORTAL_HOME_CACHE_SECONDS`` (default
``PUBLIC_SECONDS``; 0 turns the cache off); it holds plain values only. The personal part (a
signed-in person's pending cases and unread messages) is read on every request: two queries.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from tongban.bundles.models import Bundle
from tongban.cases.models import Case, Status
from tongban.catalog.models import ServiceItem
from tongban.core import clock
from tongban.notify import services as notify
from tongban.org import services as org
from tongban.org.models import Department

PUBLIC_KEY = "portal:home:public:v1"
PUBLIC_SECONDS = 300
HOT_DAYS = 90
HOT_LIMIT = 8
PENDING_LIMIT = 5

# Shown while no case was filed in the last HOT_DAYS days (a new platform, a demo): the
# county's most asked-for services, as search terms.
FIXED_HOT = (
    "营业执照",
    "食品经营许可",
    "居民身份证",
    "社会保障卡",
    "出生医学证明",
    "城乡居民养老保险",
    "不动产登记",
    "高龄津贴",
)

# A case is no longer pending once it ended: refused at intake, concluded (and delivered),
# or withdrawn. A draft was never filed, so it is not pending at a department either.
NOT_PENDING = (Status.DRAFT, Status.REFUSED, Status.CONCLUDED, Status.DELIVERED, Status.WITHDRAWN)


def public() -> dict:
    """The home page's public blocks, cached a few minutes."""
    seconds = getattr(settings, "PORTAL_HOME_CACHE_SECONDS", PUBLIC_SECONDS)
    found = cache.get(PUBLIC_KEY) if seconds else None
    if found is None:
        found = {
            "hot": hot_items(),
            "bundles": life_events(),
            "departments": departments(),
            "network": org.network_summary(),
        }
        if seconds:
            cache.set(PUBLIC_KEY, found, seconds)
    return found


def forget() -> None:
    """Drop the cached public blocks (tests, or after a publication that must show at once)."""
    cache.delete(PUBLIC_KEY)


def hot_items(*, days: int = HOT_DAYS, limit: int = HOT_LIMIT) -> list[dict]:
    """The items with the most cases filed in the last ``days`` days (two queries), as
    ``{"code", "name", "cases"}``; empty when nothing was filed (the page then shows
    ``FIXED_HOT``)."""
    since = clock.now() - timedelta(days=days)
    counts = list(
        Case.objects.filter(submitted_at__gte=since)
        .values_list("item_id")
        .annotate(n=Count("id"))
        .order_by("-n", "item_id")[: limit * 2]
    )
    if not counts:
        return []
    items = {
        pk: (code, name)
        for pk, code, name in ServiceItem.objects.filter(
            pk__in=[pk for pk, _n in counts], is_active=True, current_guide__isnull=False
        ).values_list("pk", "implementation_code", "current_guide__name")
    }
    hot = [
        {"code": items[pk][0], "name": items[pk][1], "cases": n} for pk, n in counts if pk in items
    ]
    return hot[:limit]


def life_events() -> list[dict]:
    """The published 一件事 bundles (one query), as ``{"code", "name", "description"}``."""
    return list(
        Bundle.objects.filter(status=Bundle.Status.PUBLISHED)
        .order_by("code")
        .values("code", "name", "description")
    )


def departments() -> list[dict]:
    """Active departments with the number of items in force they implement (one query),
    those with none left out, as ``{"code", "short_name", "items"}``."""
    in_force = Q(items__is_active=True, items__current_guide__isnull=False)
    return list(
        Department.objects.filter(is_active=True)
        .annotate(n=Count("items", filter=in_force))
        .filter(n__gt=0)
        .values("code", "short_name", "n")
    )


def personal(user) -> dict | None:
    """A signed-in person's pending cases (the latest ``PENDING_LIMIT``) and unread message
    count (two queries); ``None`` for anyone else."""
    if not getattr(user, "is_authenticated", False) or user.kind != user.Kind.PERSON:
        return None
    pending = list(
        Case.objects.filter(applicant=user)
        .exclude(status__in=NOT_PENDING)
        .select_related("guide")
        .only("number", "status", "submitted_at", "promised_due", "guide__name")
        .order_by("-pk")[:PENDING_LIMIT]
    )
    return {"pending": pending, "unread": notify.unread_count(user)}
