"""The cases app's public functions.

Intake (``submit``, ``prefill``: in ``intake``), pre-review (``accept``, ``refuse``,
``request_supplement``, ``resubmit``), the clock (``suspend``, ``resume``, ``extend``) and the
decisions the workflow drives (``start_review``, ``approve``, ``deny``, ``conclude``,
``deliver``, ``withdraw``); ``deliver_by_system`` and ``record_event`` for the apps that
pay and post (``payments``, ``logistics``). Each change is one transaction holding the
status change, its ``CaseEvent``, its audit record and the applicant's notice; the allowed
moves are the table in ``transitions``. A user who may not see a case gets ``NotFound``
(404), one who sees it but may not act ``PermissionDenied`` (403).
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from tongban.cases import clocks, history, intake, outcomes, rules, signals, transitions
from tongban.cases.models import (
    Case,
    CaseEvent,
    Extension,
    Material,
    SupplementRequest,
    Suspension,
)
from tongban.cases.schedules import enter_schedule, parse_dates, refresh_provisional
from tongban.cases.transitions import SAME, IllegalTransition
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound
from tongban.identity import access

logger = logging.getLogger(__name__)

__all__ = [
    "IllegalTransition",
    "accept",
    "approve",
    "case_for",
    "clock_of",
    "conclude",
    "deliver",
    "deliver_by_system",
    "deny",
    "enter_schedule",
    "exemptions",
    "extend",
    "list_cases",
    "parse_dates",
    "prefill",
    "record_event",
    "refresh_provisional",
    "refuse",
    "request_supplement",
    "resubmit",
    "resume",
    "start_review",
    "submit",
    "suspend",
    "withdraw",
]

submit = intake.submit
prefill = intake.prefill
clock_of = clocks.clock_of
MAX_EXTENSION_DAYS = 60
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


# --- reading ----------------------------------------------------------------------------


def case_for(user, pk: int) -> Case:
    """The case if ``user`` may see it; ``NotFound`` otherwise (never 403: no existence leak)."""
    found = access.scope(user, "cases.view", Case.objects.all()).filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该办件", "No such case")
    return found


def list_cases(user, *, status: str | None = None, before: int | None = None, limit=DEFAULT_LIMIT):
    """Newest first, keyset-paginated on the id (no OFFSET, no COUNT): ``(rows, next_before)``.
    Each row carries ``item_name`` (the guide's name) and its department.

    Same rows as ``access.scope(user, "cases.view", …)``; each of the user's conditions (own
    cases, enterprises, departments, centers) is queried on its own index and the pages merged.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    base = Case.objects.all()
    if status:
        base = base.filter(status=status)
    if before is not None:
        base = base.filter(pk__lt=before)
    conditions = rules.view_conditions(user)
    parts = [base] if conditions is access.ALL else [base.filter(c) for c in conditions]
    found: dict[int, Case] = {}
    for part in parts:
        page = (
            part.select_related("department")
            .annotate(item_name=F("guide__name"))
            .order_by("-pk")[: limit + 1]
        )
        found.update((case.pk, case) for case in page)
    rows = [found[pk] for pk in sorted(found, reverse=True)[: limit + 1]]
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], rows[limit - 1].pk


def exemptions(*, item=None, case=None) -> dict:
    """两个免于提交: of the materials in force on the cases (of ``item``, or one ``case``;
    all cases when neither is given), how many the applicants did not upload because shared
    data or an e-license stood in for them. One query: ``{"materials", "exempted",
    "by_source": {source: count}}``."""
    rows = Material.objects.filter(superseded=False)
    if case is not None:
        rows = rows.filter(case=case)
    if item is not None:
        rows = rows.filter(case__item=item)
    counts = dict(rows.values_list("source").annotate(n=Count("pk")).order_by())
    exempted = {source: n for source, n in counts.items() if source != Material.Source.UPLOAD}
    return {
        "materials": sum(counts.values()),
        "exempted": sum(exempted.values()),
        "by_source": exempted,
    }


# --- pre-review (预审) --------------------------------------------------------------------


def accept(case: Case, *, by, note: str = "") -> Case:
    """受理: the clocks start the day after today."""

    def apply(locked: Case) -> dict:
        locked.accepted_on = clock.today()
        clocks.refresh_due_dates(locked)
        return _dates(locked)

    return _move(case, "accept", by=by, note=note, apply=apply)


def refuse(case: Case, *, by, reason: str) -> Case:
    """不予受理, with the reason and the notice text the applicant receives."""
    reason = _required_text(reason, "reason", "请填写不予受理的理由")

    def apply(locked: Case) -> dict:
        locked.refusal_reason = reason
        locked.refusal_notice = refusal_notice(locked, reason)
        return {}

    return _move(case, "refuse", by=by, note=reason, apply=apply)


def refusal_notice(case: Case, reason: str) -> str:
    """The 不予受理通知书 text (行政许可法 第三十二条)."""
    guide = case.guide
    review = guide.review_channel or "周至县人民政府"
    court = guide.litigation_channel or "有管辖权的人民法院"
    filed = timezone.localdate(case.submitted_at) if case.submitted_at else clock.today()
    return (
        f"{case.applicant_name}:\n"
        f"    你(单位)于{filed:%Y年%m月%d日}提出的{guide.name}申请(办件编号 {case.number}),"
        f"经审查,{reason.rstrip('。')}。依据《中华人民共和国行政许可法》第三十二条的规定,"
        f"决定不予受理。\n"
        f"    如不服本决定,可以自收到本通知书之日起六十日内向{review}申请行政复议,"
        f"或者自收到本通知书之日起六个月内向{court}提起行政诉讼。"
    )


def request_supplement(case: Case, *, by, items: list[dict]) -> Case:
    """一次性告知: every missing or wrong material, each with its reason, in one request.

    ``items``: ``[{"material": <MaterialSpec id or a name>, "reason": "…"}]``. Once per case:
    a second request is refused (the first must list everything).
    """
    listed = _supplement_items(case, items)

    def apply(locked: Case) -> dict:
        if SupplementRequest.objects.filter(case=locked).exists():
            raise Conflict(
                "本办件已一次性告知过需补正的材料,不能再次要求补正",
                "Supplements were already requested once for this case",
            )
        SupplementRequest.objects.create(
            case=locked,
            round=locked.round,
            items=listed,
            notice=_supplement_notice(locked, listed),
            requested_by=by,
            requested_at=clock.now(),
        )
        return {"items": len(listed)}

    note = ";".join(f"{item['name']}:{item['reason']}" for item in listed)
    return _move(case, "request_supplement", by=by, note=note, apply=apply)


def _supplement_items(case: Case, items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise InvalidInput(fields={"items": ["请列出需补正的全部材料及理由 / list every material"]})
    specs = {spec.pk: spec for spec in case.guide.materials.all()}
    listed, errors = [], {}
    for index, item in enumerate(items):
        material = item.get("material") if isinstance(item, dict) else None
        reason = str(item.get("reason") or "").strip() if isinstance(item, dict) else ""
        spec = specs.get(getattr(material, "pk", material))
        name = spec.name if spec else str(material or "").strip()
        if not name:
            errors[f"items[{index}].material"] = ["请指明材料 / name the material"]
        if not reason:
            errors[f"items[{index}].reason"] = ["请说明需补正的理由 / give the reason"]
        listed.append({"material_id": spec.pk if spec else None, "name": name, "reason": reason})
    if errors:
        raise InvalidInput(fields=errors)
    return listed


def _supplement_notice(case: Case, items: list[dict]) -> str:
    lines = [f"{n}. {item['name']}:{item['reason']}" for n, item in enumerate(items, 1)]
    return (
        f"{case.applicant_name}:\n    你(单位)申请的{case.guide.name}(办件编号 {case.number}),"
        "申请材料不齐全或者不符合法定形式,请一次性补正以下材料后重新提交:\n" + "\n".join(lines)
    )


def resubmit(case: Case, *, by, form_data=None, materials=()) -> Case:
    """The applicant answers the supplement request on the same case (back to submitted)."""
    _require(by, "cases.resubmit", case)
    transitions.target(case.status, "resubmit")
    cleaned, prepared, errors = intake.check_resubmission(case, form_data, materials, user=by)
    if errors:
        raise InvalidInput(fields=errors)

    def apply(locked: Case) -> dict:
        intake.supersede(locked, prepared)
        locked.round += 1
        locked.form_data = cleaned
        intake.files.store(locked, prepared, by=by, round_=locked.round, written=written)
        intake.files.authorize_licenses(locked, prepared, by=by)
        SupplementRequest.objects.filter(case=locked).update(answered_at=clock.now())
        return {"round": locked.round, "materials": len(prepared)}

    with intake.files.removed_on_error() as written:
        return _move(case, "resubmit", by=by, apply=apply, checked=True)


# --- the clock ----------------------------------------------------------------------------


def suspend(case: Case, *, by, kind: str, reason: str) -> Case:
    """挂起 (expert review, on-site inspection, hearing…): the clock stops from today."""
    if kind not in Suspension.Kind.values:
        raise InvalidInput(fields={"kind": ["挂起类型不正确 / unknown kind"]})
    reason = _required_text(reason, "reason", "请填写挂起原因")

    def apply(locked: Case) -> dict:
        Suspension.objects.create(
            case=locked,
            kind=kind,
            reason=reason,
            resume_status=locked.status,
            started_on=clock.today(),
            started_by=by,
        )
        return {"kind": kind}

    return _move(case, "suspend", by=by, note=reason, apply=apply)


def resume(case: Case, *, by, note: str = "") -> Case:
    """The clock runs again from today; the due dates move by the days it stood still."""

    def apply(locked: Case) -> dict:
        open_stop = locked.suspensions.filter(ended_on__isnull=True).order_by("-pk").first()
        open_stop.ended_on, open_stop.ended_by = clock.today(), by
        open_stop.save(update_fields=["ended_on", "ended_by"])
        locked.status = open_stop.resume_status
        clocks.refresh_due_dates(locked)
        return _dates(locked)

    return _move(case, "resume", by=by, note=note, apply=apply)


def extend(case: Case, *, by, days: int, reason: str) -> Case:
    """延长时限, an approver's decision: ``days`` working days added to the limits."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            fields={"days": [f"延长天数应为 1 到 {MAX_EXTENSION_DAYS} 个工作日 / 1 to 60"]}
        )
    reason = _required_text(reason, "reason", "请填写延长理由")

    def apply(locked: Case) -> dict:
        Extension.objects.create(
            case=locked, days=days, reason=reason, approved_by=by, approved_at=clock.now()
        )
        locked.extension_days += days
        clocks.refresh_due_dates(locked)
        return {"days": days, **_dates(locked)}

    return _move(case, "extend", by=by, note=reason, apply=apply)


# --- decisions (driven by the workflow) ---------------------------------------------------


def start_review(case: Case, *, by, note: str = "") -> Case:
    return _move(case, "start_review", by=by, note=note, action="cases.decide")


def approve(case: Case, *, by, note: str = "") -> Case:
    return _move(case, "approve", by=by, note=note, action="cases.decide")


def deny(case: Case, *, by, reason: str) -> Case:
    reason = _required_text(reason, "reason", "请填写不予许可的理由")
    return _move(case, "deny", by=by, note=reason, action="cases.decide")


def conclude(case: Case, *, by, note: str = "") -> Case:
    """办结 with the result the case's decision and guide give (``outcomes``)."""
    return _move(case, "conclude", by=by, note=note, apply=outcomes.apply_outcome)


def deliver(case: Case, *, by, note: str = "") -> Case:
    return _move(case, "deliver", by=by, note=note)


def deliver_by_system(case: Case, *, system: str, note: str = "") -> Case:
    """送达 confirmed by a platform app (``logistics``: the courier's signed-for callback)."""

    def apply(locked: Case) -> dict:
        locked.delivered_at = clock.now()
        return {"delivered_at": [None, locked.delivered_at.isoformat()]}

    return _move(case, "deliver", by=f"system:{system}", note=note, apply=apply, checked=True)


def record_event(case: Case, verb: str, *, by, note: str = "", changes=None) -> CaseEvent:
    """A step of another app that keeps the status (``transitions.EVENT_NAMES``: 缴费, 寄出…),
    in the case's history and the audit log; the caller's transaction holds it."""
    if verb not in transitions.EVENT_NAMES:
        raise ValueError(f"unknown case event {verb!r}")
    return history.record(case, verb, case.status, by=by, note=note, changes=changes)


def withdraw(case: Case, *, by, reason: str = "") -> Case:
    return _move(case, "withdraw", by=by, note=reason)


# --- helpers ------------------------------------------------------------------------------


def _move(
    case: Case,
    verb: str,
    *,
    by,
    note: str = "",
    apply: Callable[[Case], dict] | None = None,
    action: str | None = None,
    checked: bool = False,
) -> Case:
    """Lock the case, check the move, apply it, record it: one transaction."""
    if not checked:
        _require(by, action or f"cases.{verb}", case)
    with transaction.atomic():
        # Only the case row is locked (``of``), never its guide or applicant.
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("guide", "applicant")
            .get(pk=case.pk)
        )
        to = transitions.target(locked.status, verb)
        before = locked.status
        changes = apply(locked) if apply else {}
        if to is not SAME:
            locked.status = to
        locked.save()
        history.record(locked, verb, before, by=by, note=note, changes=changes)
        if verb == "conclude":
            _announce_conclusion(locked)
    return locked


def _announce_conclusion(case: Case) -> None:
    pk, result_type = case.pk, case.result_type or ""

    def send() -> None:
        answers = signals.case_concluded.send_robust(Case, case_pk=pk, result_type=result_type)
        for receiver, answer in answers:
            if isinstance(answer, Exception):
                logger.error(
                    "case_concluded receiver %r failed for case %s: %r", receiver, pk, answer
                )

    transaction.on_commit(send)


def _require(user, action: str, case: Case) -> None:
    if not access.can(user, "cases.view", case):
        raise NotFound("未找到该办件", "No such case")
    access.require(user, action, case)


def _required_text(value, field: str, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(fields={field: [f"{message} / required"]})
    return text


def _dates(case: Case) -> dict:
    return {
        "promised_due": case.promised_due,
        "statutory_due": case.statutory_due,
        "due_provisional": case.due_provisional,
    }
