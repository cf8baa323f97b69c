"""Following a case: the applicant's own list (``my_cases``, ``my_case``), and tracking
without signing in (办件查询): case number + the applicant's phone or ID number (an
enterprise's credit code) → status and history, masked (``track``, ``public_status``).

A wrong phone and a number that does not exist get the same answer, so case numbers cannot be
probed; every attempt counts against a limit per client address and per case number (the
shared cache, fixed windows), beyond which the answer is 429 whatever was asked.
"""

from django.conf import settings
from django.utils import timezone

from tongban.cases import clocks
from tongban.cases.models import Case
from tongban.cases.receipts import masked_applicant
from tongban.cases.transitions import EVENT_NAMES, VERB_NAMES
from tongban.core import throttle
from tongban.core.pii import blind_index
from tongban.core.pii.crypto import same_index
from tongban.errors import InvalidInput, NotFound, PermissionDenied
from tongban.identity import access, enterprises

# CASES_TRACK_PER_IP and CASES_TRACK_PER_NUMBER (settings) count per window of this length.
WINDOW_SECONDS = 600
NOT_FOUND = (
    "未查询到办件:请核对办件编号,以及申请时使用的手机号码或证件号码",
    "No case matches this number and phone or ID number",
)


def track(number: str, secret: str, *, ip: str | None) -> Case:
    """The case if ``secret`` is its applicant's phone or ID number; ``NotFound`` otherwise
    (the same for an unknown number), ``RateLimited`` past the limits."""
    number, secret = str(number or "").strip().upper(), str(secret or "").strip()
    errors = {}
    if not number or len(number) > 32:
        errors["number"] = ["请输入办件编号 / enter the case number"]
    if not secret or len(secret) > 40:
        errors["secret"] = ["请输入手机号码或证件号码 / enter the phone or ID number"]
    if errors:
        raise InvalidInput(fields=errors)
    _count(f"ip:{ip or 'unknown'}", settings.CASES_TRACK_PER_IP)
    _count(f"number:{number}", settings.CASES_TRACK_PER_NUMBER)
    case = (
        Case.objects.select_related("guide", "department", "applicant")
        .filter(number=number)
        .first()
    )
    if case is None or not matches(case, secret):
        raise NotFound(*NOT_FOUND)
    return case


def matches(case: Case, secret: str) -> bool:
    """``secret`` is the applicant's ID number (or credit code) or the account's phone."""
    by_id = same_index(blind_index(secret, "id_number"), case.applicant_id_number_hash or "")
    phone = case.applicant.phone_hash or ""
    by_phone = bool(phone) and same_index(blind_index(secret, "phone"), phone)
    return by_id or by_phone


def _count(what: str, limit: int) -> None:
    throttle.count(
        "cases:track",
        what,
        allowed=limit,
        window_seconds=WINDOW_SECONDS,
        message="查询过于频繁,请稍后再试",
        message_en="Too many tracking requests, try again later",
    )


def public_status(case: Case) -> dict:
    """What tracking shows: no staff names, no notes, the applicant masked."""
    name, _id_number = masked_applicant(case)
    found = clocks.clock_of(case) if case.accepted_on else None
    return {
        "number": case.number,
        "item": case.guide.name,
        "department": case.department.name,
        "applicant": name,
        "status": case.status,
        "status_label": case.get_status_display(),
        "submitted_on": timezone.localdate(case.submitted_at) if case.submitted_at else None,
        "accepted_on": case.accepted_on,
        "promised_due": case.promised_due,
        "days_left": found.left if found else None,
        "history": [
            {
                "at": event.at,
                "action": (
                    VERB_NAMES.get(event.verb) or EVENT_NAMES.get(event.verb, (event.verb,))
                )[0],
                "status": event.get_to_status_display(),
            }
            for event in case.events.all()
        ],
    }


# --- signed in: my cases ----------------------------------------------------------------


def my_cases(user, enterprise=None, *, before: int | None = None, limit: int = 20):
    """The person's own cases, or those of the enterprise they act for (``view`` scope),
    newest first, keyset on the id (no COUNT): ``(rows, next_before)``."""
    if enterprise is not None:
        if "view" not in enterprises.scopes_for(user, enterprise):
            raise PermissionDenied("您没有获得查看该法人办件的授权", "No view scope here")
        rows = Case.objects.filter(enterprise=enterprise)
    else:
        rows = Case.objects.filter(applicant=user)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    limit = max(1, min(int(limit), 100))
    # The item too: each row shows its implementation code (one query, not one per row).
    found = list(rows.select_related("guide", "item", "department").order_by("-pk")[: limit + 1])
    if len(found) <= limit:
        return found, None
    return found[:limit], found[limit - 1].pk


def my_case(user, number: str) -> Case:
    """A case ``user`` may see by its number, with what its detail shows (three queries);
    ``NotFound`` (404) for anyone else's."""
    case = (
        detailed(access.scope(user, "cases.view", Case.objects.all()))
        .filter(number=str(number or "").strip().upper())
        .first()
    )
    if case is None:
        raise NotFound("未找到该办件", "No such case")
    return case


def detailed(cases):
    """``cases`` with everything a case's detail shows: its guide, item, department, applicant,
    enterprise and supplement request joined, its materials and events prefetched."""
    return cases.select_related(
        "guide", "item", "department", "applicant", "enterprise__legal_entity", "supplement"
    ).prefetch_related("materials", "events")
