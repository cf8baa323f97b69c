"""From an item and its version in force to a ``SearchEntry``: filters and weighted terms.

Weight classes (highest first): A the item's name (words, characters, pinyin); B its
keywords, the base item's name and the codes; C the department, the materials, the result
and the topics; D the guide's text (acceptance conditions, legal basis, FAQ).
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Prefetch

from tongban.catalog.models import AcceptancePoint, ServiceItem, Topic
from tongban.catalog.search import engine, text
from tongban.catalog.search_models import SearchEntry
from tongban.org.models import ServiceCenter

BATCH = 500
TOPIC_LABELS = dict(Topic.choices)


def items_to_index():
    """Items with everything their entry needs, in a fixed number of queries."""
    points = AcceptancePoint.objects.select_related("center__parent")
    return ServiceItem.objects.select_related(
        "current_guide", "department", "base_item"
    ).prefetch_related(
        "current_guide__materials",
        Prefetch("current_guide__acceptance_points", queryset=points),
    )


def entry_for(item: ServiceItem) -> SearchEntry | None:
    """The entry of an item, or ``None`` when no version is in force (nothing to find)."""
    guide = item.current_guide
    if guide is None:
        return None
    base = item.base_item
    department = item.department
    keyword_words = list(text.search_words(guide.keywords))
    other_names = [base.name] if base.name != guide.name else []
    faq = [part for pair in guide.faq or [] for part in (pair.get("q", ""), pair.get("a", ""))]
    return SearchEntry(
        item=item,
        guide=guide,
        implementation_code=item.implementation_code,
        name=guide.name,
        department_code=department.code,
        item_type=base.item_type,
        service_object=guide.service_object,
        online_depth=guide.online_depth,
        city_wide=guide.city_wide,
        cross_province=guide.cross_province,
        is_active=item.is_active,
        topics=_spaced(guide.topics or []),
        towns=_spaced(_center_codes(guide.acceptance_points.all())),
        name_terms=text.join(text.name_terms(guide.name)),
        keyword_terms=text.join(
            [
                *keyword_words,
                *text.pinyin_terms(keyword_words),
                *text.text_terms(*other_names),
                *text.code_terms(item.implementation_code, base.base_code),
            ]
        ),
        context_terms=text.join(
            text.text_terms(
                department.name,
                department.short_name,
                guide.result_name,
                str(base.get_item_type_display()),
                *(str(TOPIC_LABELS.get(code, "")) for code in guide.topics or []),
                *(material.name for material in guide.materials.all()),
            )
        ),
        text_terms=text.join(text.text_terms(guide.acceptance_conditions, guide.legal_basis, *faq)),
    )


def reindex(item_ids: Iterable[int] | None = None) -> int:
    """Rebuild the entries of these items (all when ``None``); how many entries were written.

    An item without a version in force loses its entry. A full rebuild also compacts the
    full-text index.
    """
    items = items_to_index().order_by("pk")
    entries = SearchEntry.objects.all()
    if item_ids is not None:
        ids = list(item_ids)
        items = items.filter(pk__in=ids)
        entries = entries.filter(item_id__in=ids)
    written = 0
    with transaction.atomic():
        entries.delete()
        batch: list[SearchEntry] = []
        for item in items.iterator(chunk_size=BATCH):
            entry = entry_for(item)
            if entry is not None:
                batch.append(entry)
            if len(batch) >= BATCH:
                written += len(SearchEntry.objects.bulk_create(batch))
                batch = []
        written += len(SearchEntry.objects.bulk_create(batch))
    if item_ids is None:
        engine.compact(connection)
    return written


def _center_codes(points) -> list[str]:
    codes = []
    for point in points:
        center = point.center
        codes.append(center.statistical_code)
        if center.level == ServiceCenter.Level.VILLAGE and center.parent_id:
            codes.append(center.parent.statistical_code)
    return [code for code in dict.fromkeys(codes) if code]


def _spaced(codes: Iterable[str]) -> str:
    """`` a b `` so that ``LIKE '% a %'`` finds one code exactly."""
    joined = " ".join(codes)
    return f" {joined} " if joined else ""
