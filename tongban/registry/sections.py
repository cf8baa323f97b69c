"""The sections of a space read from the other apps: cases from every channel, licenses
(the wallet), materials on file (reusable when applying), messages, and ratings given.

Each list is its own keyset page (``before`` = the last id shown), so paging one section
never moves the others, and each costs a fixed number of queries whatever its length.
Who may see a space is decided in ``spaces`` before any of these is called.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef

from tongban.pagination import MAX_LIMIT

SECTION_LIMIT = 10
MESSAGES_SHOWN = 5


@dataclass(frozen=True)
class CaseEntry:
    """One case in a space: from any channel, a 一件事 child case marked as such."""

    number: str
    item: str
    channel: str
    channel_label: str
    in_bundle: bool
    enterprise: str
    status: str
    status_label: str
    submitted_at: datetime.datetime | None
    concluded_at: datetime.datetime | None


@dataclass(frozen=True)
class LicenseEntry:
    identifier: str
    name: str
    number: str
    holder: str
    issuer: str
    valid_to: datetime.date | None
    state: str
    state_label: str


@dataclass(frozen=True)
class MaterialEntry:
    """A material on file: the latest one of its name the person handed in with a case."""

    id: int
    name: str
    case_number: str
    submitted_at: datetime.datetime
    content_type: str
    size: int | None


@dataclass(frozen=True)
class MessageEntry:
    id: int
    subject: str
    body: str
    created_at: datetime.datetime
    read: bool


@dataclass(frozen=True)
class MessagesSummary:
    unread: int
    latest: list[MessageEntry]


@dataclass(frozen=True)
class RatingEntry:
    """A rating given: the case, the grade, and for a bad one how its rectification stands."""

    id: int
    case_number: str
    item: str
    kind_label: str
    level: int
    level_label: str
    at: datetime.datetime
    bad: bool
    rectification_id: int | None
    rectification_status: str
    rectification_status_label: str


def _keyset(rows, before: int | None, limit: int):
    """One page newest first (keyset on the id): ``(rows, next_before)``."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    if before is not None:
        rows = rows.filter(pk__lt=before)
    found = list(rows.order_by("-pk")[: limit + 1])
    return found[:limit], (found[limit - 1].pk if len(found) > limit else None)


def person_cases(user, *, before: int | None = None, limit: int = SECTION_LIMIT):
    """The cases ``user`` applied for, from every channel, newest first (one query)."""
    from tongban.cases.models import Case

    return _case_page(Case.objects.filter(applicant=user), before, limit)


def enterprise_cases(enterprise, *, before: int | None = None, limit: int = SECTION_LIMIT):
    """The cases filed in the name of ``enterprise`` (whoever filed them)."""
    from tongban.cases.models import Case

    return _case_page(Case.objects.filter(enterprise=enterprise), before, limit)


def _case_page(rows, before, limit):
    from tongban.bundles.models import BundleChild

    rows = rows.select_related("guide", "enterprise__legal_entity").annotate(
        in_bundle=Exists(BundleChild.objects.filter(case=OuterRef("pk")))
    )
    found, next_before = _keyset(rows, before, limit)
    return [_case_entry(case) for case in found], next_before


def _case_entry(case) -> CaseEntry:
    return CaseEntry(
        number=case.number,
        item=case.guide.name,
        channel=case.channel,
        channel_label=str(case.get_channel_display()),
        in_bundle=case.in_bundle,
        enterprise=case.enterprise.legal_entity.name if case.enterprise_id else "",
        status=case.status,
        status_label=str(case.get_status_display()),
        submitted_at=case.submitted_at,
        concluded_at=case.concluded_at,
    )


def person_licenses(user, *, cursor: str | None = None, limit: int = SECTION_LIMIT):
    """The wallet (``licenses.wallet.my_licenses``): current versions first, one query."""
    from tongban.licenses import wallet

    found, next_cursor = wallet.my_licenses(user, cursor=cursor, limit=limit)
    return [_license_entry(lic) for lic in found], next_cursor


def enterprise_licenses(enterprise, *, before: int | None = None, limit: int = SECTION_LIMIT):
    """The licenses ``enterprise`` holds, newest first."""
    from tongban.licenses.models import License

    rows = License.objects.filter(holder_enterprise=enterprise).select_related(
        "license_type", "issuer"
    )
    found, next_before = _keyset(rows, before, limit)
    return [_license_entry(lic) for lic in found], next_before


def _license_entry(lic) -> LicenseEntry:
    from tongban.licenses import wallet

    return LicenseEntry(
        identifier=lic.identifier,
        name=lic.license_type.name,
        number=lic.number,
        holder=lic.holder_name,
        issuer=lic.issuer.name,
        valid_to=lic.valid_to,
        state=str(wallet.state(lic)),
        state_label=wallet.state_label(lic),
    )


def on_file(user, *, names=None):
    """The materials ``user`` handed in as files with their cases, the latest of each name
    (not replaced at a supplement request): a queryset, ``names`` narrowing it."""
    from tongban.cases.models import Material

    mine = (
        Material.objects.filter(
            case__applicant=user,
            superseded=False,
            source__in=(Material.Source.UPLOAD, Material.Source.BUNDLE),
        )
        .exclude(file="")
        .order_by()
    )
    if names is not None:
        mine = mine.filter(name__in=list(names))
    latest = mine.values("name").annotate(latest=Max("pk")).values("latest")
    return Material.objects.filter(pk__in=latest).select_related("case")


def materials_on_file(user, *, before: int | None = None, limit: int = SECTION_LIMIT):
    """One page of ``on_file``, newest first (one query)."""
    found, next_before = _keyset(on_file(user), before, limit)
    return [_material_entry(m) for m in found], next_before


def reusable_materials(user, names) -> dict[str, MaterialEntry]:
    """The material on file for each of ``names`` that ``user`` has one for (one query)."""
    return {m.name: _material_entry(m) for m in on_file(user, names=names)}


def _material_entry(material) -> MaterialEntry:
    return MaterialEntry(
        id=material.pk,
        name=material.name,
        case_number=material.case.number,
        submitted_at=material.uploaded_at,
        content_type=material.content_type,
        size=material.size,
    )


def messages_summary(user) -> MessagesSummary:
    """How many in-app messages are unread and the latest of them (two queries)."""
    from tongban.notify import services as notify

    unread = notify.inbox(user, unread_only=True)
    latest = list(unread.order_by("-created_at", "-pk")[:MESSAGES_SHOWN])
    count = len(latest) if len(latest) < MESSAGES_SHOWN else unread.count()
    return MessagesSummary(unread=count, latest=[message_entry(m) for m in latest])


def message_entry(message) -> MessageEntry:
    return MessageEntry(
        id=message.pk,
        subject=message.subject,
        body=message.body,
        created_at=message.created_at,
        read=message.read_at is not None,
    )


def person_ratings(user, *, before: int | None = None, limit: int = SECTION_LIMIT):
    """The ratings ``user`` gave, newest first, with their rectification (one query)."""
    from tongban.reviews.models import Review

    return _rating_page(Review.objects.filter(reviewer=user), before, limit)


def enterprise_ratings(enterprise, *, before: int | None = None, limit: int = SECTION_LIMIT):
    """The ratings of ``enterprise``'s cases, whoever gave them."""
    from tongban.reviews.models import Review

    return _rating_page(Review.objects.filter(case__enterprise=enterprise), before, limit)


def _rating_page(rows, before, limit):
    rows = rows.select_related("case__guide", "rectification")
    found, next_before = _keyset(rows, before, limit)
    return [_rating_entry(review) for review in found], next_before


def _rating_entry(review) -> RatingEntry:
    rect = getattr(review, "rectification", None)
    return RatingEntry(
        id=review.pk,
        case_number=review.case.number if review.case_id else "",
        item=review.case.guide.name if review.case_id else "",
        kind_label=str(review.get_kind_display()),
        level=review.level,
        level_label=str(review.get_level_display()),
        at=review.at,
        bad=review.is_bad,
        rectification_id=rect.pk if rect else None,
        rectification_status=rect.status if rect else "",
        rectification_status_label=str(rect.get_status_display()) if rect else "",
    )
