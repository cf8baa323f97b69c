"""The reviews app's public functions: rating (好差评), the bad review's rectification loop
(整改), the overdue sweep, and the figures other apps read (docs/reviews.md).

The loop of a bad review (level 1 or 2)::

    opened ─visit_back→ visited ─rectify→ rectified ─feed_back→ fed_back ─accept→ accepted
                            │  └rectify(plan)→ rectifying ─rectify→ rectified      │
                            └explain→ explained ─feed_back→ fed_back ─appeal→ appealed
    appealed ─rereview: upheld→ rectifying (a new deadline) | settled→ closed (a reviewer's
    appeal) or back where it was (a department's) | mistaken/malicious→ closed, the review
    excluded from every figure

The department (clerks, approvers, department administrators of the responsible department)
visits back, rectifies, explains, feeds back and may claim a rating mistaken or malicious
(an appeal by the department); the reviewer accepts or appeals; a supervisor re-reviews.
A feedback left unanswered past REVIEWS_APPEAL_DAYS working days closes as accepted; an
anonymous review has nobody to answer and closes at the feedback.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse

from tongban.audit import services as audit
from tongban.cases import workdays
from tongban.cases.models import Case
from tongban.cases.models import Status as CaseStatus
from tongban.core import clock
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TongbanError
from tongban.identity import access
from tongban.notify import services as notify
from tongban.org.models import Department, StaffMembership, Window
from tongban.reviews.models import (
    BAD_LEVELS,
    CASE_INDICATORS,
    GOOD_LEVELS,
    VISIT_INDICATORS,
    Channel,
    Kind,
    Rectification,
    RectificationStep,
    Review,
)

logger = logging.getLogger(__name__)
S = Rectification.Status
Outcome = Rectification.Outcome
SYSTEM = "system:reviews"
CASE_CHANNELS = (Channel.WEB, Channel.MOBILE, Channel.SMS, Channel.KIOSK, Channel.HOTLINE)
VISIT_CHANNELS = (Channel.WINDOW_PAD, Channel.QR, Channel.KIOSK)
COMMENT_MAX = 500
NOTE_MAX = 2000
# The states that count as rectified in 实名差评整改率 (bad_review_figures).
DONE = (S.ACCEPTED, S.CLOSED)
OPEN = (S.OPENED, S.VISITED, S.RECTIFYING, S.RECTIFIED, S.EXPLAINED, S.FED_BACK, S.APPEALED)


# Invitation -------------------------------------------------------------------------------


def invite(case: Case) -> list:
    """Invite the applicant of a concluded case to rate it: in-app, and an SMS link when the
    account has a phone. Once per case (the notice's idempotency key)."""
    user = case.applicant
    phone = str(user.phone) if getattr(user, "phone", "") else ""
    return notify.send(
        user,
        "reviews.invite",
        {
            "办件编号": case.number,
            "事项名称": case.guide.name,
            "评价链接": _absolute(reverse("reviews:case", args=[case.number])),
        },
        channels=["in_app", "sms"] if phone else ["in_app"],
        address=phone or None,
        idempotency_key=f"reviews:invite:{case.pk}",
        by=SYSTEM,
    )


def on_case_concluded(sender, *, case_pk: int, result_type: str, **kwargs) -> None:
    case = Case.objects.select_related("applicant", "guide").filter(pk=case_pk).first()
    if case is None or case.applicant_id is None:
        return
    try:
        invite(case)
    except TongbanError:  # no template: the conclusion stands, the invitation is logged lost
        logger.exception("reviews: could not invite the applicant of case %s", case_pk)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# Rating -----------------------------------------------------------------------------------


def rate(
    reviewer,
    *,
    level,
    channel: str,
    case: Case | None = None,
    window: Window | None = None,
    scores: dict | None = None,
    comment: str = "",
    real_name: bool = True,
) -> Review:
    """Rate a concluded case (一事一评, ``case`` given without ``window``) or a window visit
    (一次一评, ``window`` given, with or without the visit's case).

    ``reviewer`` is the signed-in account or ``None`` (anonymous; visits only). A case is
    rated once per person, by its applicant, within REVIEWS_RATE_DAYS days of its
    conclusion. A bad rating opens its rectification in the same transaction.
    """
    signed_in = bool(reviewer is not None and getattr(reviewer, "is_authenticated", False))
    kind = Kind.VISIT if window is not None else Kind.CASE
    problems: dict[str, list[str]] = {}
    level = _level(level, problems)
    clean_scores = _scores(scores, kind, level, problems)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        problems["comment"] = [f"评价内容不能超过 {COMMENT_MAX} 字 / at most {COMMENT_MAX}"]
    allowed = VISIT_CHANNELS if kind == Kind.VISIT else CASE_CHANNELS
    if channel not in allowed:
        problems["channel"] = ["评价渠道不正确 / unknown channel for this kind of rating"]
    if real_name and not signed_in:
        problems["real_name"] = ["实名评价须先登录 / sign in to rate under your name"]
    if kind == Kind.CASE and case is None:
        problems["case"] = ["请选择要评价的办件 / choose the case to rate"]
    if problems:
        raise InvalidInput(fields=problems)
    if kind == Kind.CASE:
        department, staff, center = _case_target(reviewer, case, signed_in)
    else:
        department, staff, center = _visit_target(window, case)
    review = Review(
        kind=kind,
        channel=channel,
        case=case,
        window=window if kind == Kind.VISIT else case.window,
        center=center,
        department=department,
        staff=staff,
        level=level,
        scores=clean_scores,
        comment=comment,
        real_name=bool(real_name),
        reviewer=reviewer if signed_in else None,
        at=clock.now(),
    )
    try:
        with transaction.atomic():
            review.save()
            audit.record(
                reviewer if signed_in else "anonymous:reviews",
                "reviews.review.rate",
                review,
                changes={"level": [None, level], "kind": [None, kind]},
                note=comment[:200],
            )
            if review.is_bad:
                _open(review)
    except IntegrityError as error:
        raise Conflict("您已评价过该办件", "You have already rated this case") from error
    return review


def _level(value, problems) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if not 1 <= level <= 5:
        problems["level"] = ["请选择评价等级(1 至 5 星) / choose a level from 1 to 5"]
    return level


def _scores(scores, kind: str, level: int, problems) -> dict:
    indicators = VISIT_INDICATORS if kind == Kind.VISIT else CASE_INDICATORS
    given = scores or {}
    if not isinstance(given, dict):
        problems["scores"] = ["分项评分格式不正确 / scores must be an object"]
        return {}
    clean: dict[str, int] = {}
    for key, value in given.items():
        if key not in indicators:
            problems[f"scores.{key}"] = ["没有这个分项指标 / no such sub-indicator"]
            continue
        if value in (None, ""):
            continue
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = 0
        if not 1 <= score <= 5:
            problems[f"scores.{key}"] = ["分项评分应为 1 至 5 / a score is 1 to 5"]
            continue
        clean[key] = score
    if 1 <= level <= 5:
        clean.setdefault("overall", level)
    return clean


def _case_target(reviewer, case: Case, signed_in: bool):
    if not signed_in:
        raise PermissionDenied("请先登录后评价办件", "Sign in to rate a case")
    if case.applicant_id != reviewer.pk:
        raise NotFound("未找到该办件", "No such case")
    check_rateable(case)
    return case.department, case.filed_by, case.center


def check_rateable(case: Case) -> None:
    """``Conflict`` unless the case is concluded and still within REVIEWS_RATE_DAYS days."""
    if case.status != CaseStatus.CONCLUDED or case.concluded_at is None:
        raise Conflict("办件办结后才能评价", "A case is rated once concluded")
    closes = case.concluded_at + datetime.timedelta(days=settings.REVIEWS_RATE_DAYS)
    if clock.now() > closes:
        raise Conflict(
            f"办结 {settings.REVIEWS_RATE_DAYS} 日后不能再评价",
            "The time to rate this case has passed",
        )


def _visit_target(window: Window, case: Case | None):
    if not window.is_active:
        raise NotFound("该窗口已停用", "No such window")
    if case is not None and case.window_id != window.pk:
        raise InvalidInput(fields={"case": ["该办件不是在此窗口受理的 / not taken in here"]})
    clerk = window_clerk(window)
    staff = (case.filed_by if case is not None else None) or (clerk.user if clerk else None)
    department = (
        (case.department if case is not None else None)
        or window.department
        or (clerk.department if clerk else None)
    )
    if department is None:
        raise InvalidInput(fields={"window": ["该窗口未设置责任部门 / window has no department"]})
    return department, staff, window.center


def window_clerk(window: Window) -> StaffMembership | None:
    """The clerk sitting at ``window`` today (the first active membership), if any."""
    return (
        StaffMembership.objects.active()
        .filter(window=window, role=StaffMembership.Role.CLERK)
        .select_related("user", "department")
        .order_by("pk")
        .first()
    )


def my_review(user, case: Case) -> Review | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Review.objects.filter(case=case, reviewer=user, kind=Kind.CASE).first()


# The rectification loop --------------------------------------------------------------------


def _due(days: int) -> datetime.date:
    # A year nobody has entered yet gives a provisional date rather than no deadline at all.
    return workdays.due(clock.today(), days).date


def _open(review: Review) -> Rectification:
    rect = Rectification.objects.create(
        review=review,
        department=review.department,
        window=review.window,
        staff=review.staff,
        visit_due=_due(settings.REVIEWS_VISIT_BACK_DAYS),
        rectify_due=_due(settings.REVIEWS_RECTIFY_DAYS),
        opened_at=clock.now(),
    )
    _step(rect, "open", "", SYSTEM, note=review.comment)
    audit.record(SYSTEM, "reviews.rectification.open", rect, changes={"status": [None, S.OPENED]})
    return rect


def _step(rect: Rectification, verb: str, from_status: str, by, *, note: str = ""):
    account = by if getattr(by, "pk", None) and hasattr(by, "is_active") else None
    RectificationStep.objects.create(
        rectification=rect,
        verb=verb,
        from_status=from_status,
        to_status=rect.status,
        actor=account,
        actor_label="" if account else str(by or "")[:64],
        note=note,
        at=clock.now(),
    )


def _note(note: str, field: str = "note", *, required: bool = True) -> str:
    note = (note or "").strip()
    if required and not note:
        raise InvalidInput(fields={field: ["请填写说明 / a note is required"]})
    if len(note) > NOTE_MAX:
        raise InvalidInput(fields={field: [f"说明不能超过 {NOTE_MAX} 字 / too long"]})
    return note


def _change(rect: Rectification, verb: str, to_status: str, by, *, note: str, **fields):
    """One step: the new state, its step row and its audit record in one transaction."""
    with transaction.atomic():
        locked = Rectification.objects.select_for_update().get(pk=rect.pk)
        if locked.status != rect.status:
            raise Conflict()
        before = rect.status
        rect.status = to_status
        for name, value in fields.items():
            setattr(rect, name, value)
        if to_status in DONE:
            rect.closed_at = clock.now()
        rect.save()
        _step(rect, verb, before, by, note=note)
        audit.record(
            by,
            f"reviews.rectification.{verb}",
            rect,
            changes={"status": [before, to_status]},
            note=note[:500],
        )
    return rect


def _require_state(rect: Rectification, verb: str, *states) -> None:
    if rect.status not in states:
        raise Conflict(
            f"整改当前状态为“{rect.get_status_display()}”,不能{VERBS.get(verb, verb)}",
            f"Cannot {verb} a rectification in state {rect.status}",
        )


VERBS = {
    "visit_back": "回访",
    "rectify": "整改",
    "explain": "解释说明",
    "feed_back": "反馈",
    "accept": "确认",
    "appeal": "申诉",
    "rereview": "复核",
}


def visit_back(rect: Rectification, *, by, note: str) -> Rectification:
    """回访核实: the department has contacted the reviewer and verified what happened."""
    access.require(by, "reviews.handle_rectification", rect)
    _require_state(rect, "visit_back", S.OPENED)
    note = _note(note)
    # A new stage, a new deadline: an escalation of the visit-back leaves the rectification's open.
    return _change(rect, "visit_back", S.VISITED, by, note=note, visit_note=note, escalated_at=None)


def rectify(rect: Rectification, *, by, note: str, plan: bool = False) -> Rectification:
    """立行立改 (``plan=False``: fixed, note says how) or 限期整改 (``plan=True``: entered in
    the ledger to be fixed by ``rectify_due``; a later ``rectify`` reports it fixed)."""
    access.require(by, "reviews.handle_rectification", rect)
    note = _note(note)
    if plan:
        _require_state(rect, "rectify", S.VISITED)
        return _change(rect, "plan", S.RECTIFYING, by, note=note, rectify_note=note)
    _require_state(rect, "rectify", S.VISITED, S.RECTIFYING)
    return _change(rect, "rectify", S.RECTIFIED, by, note=note, rectify_note=note)


def explain(rect: Rectification, *, by, note: str) -> Rectification:
    """解释说明: nothing to fix (no legal basis for what was asked); the reasons given."""
    access.require(by, "reviews.handle_rectification", rect)
    _require_state(rect, "explain", S.VISITED, S.RECTIFYING)
    note = _note(note)
    return _change(rect, "explain", S.EXPLAINED, by, note=note, explain_note=note)


def feed_back(rect: Rectification, *, by, note: str) -> Rectification:
    """反馈: the result goes to the reviewer, who may accept or appeal within
    REVIEWS_APPEAL_DAYS working days; an anonymous review closes here."""
    access.require(by, "reviews.handle_rectification", rect)
    _require_state(rect, "feed_back", S.RECTIFIED, S.EXPLAINED)
    note = _note(note)
    review = rect.review
    if not review.real_name or review.reviewer_id is None:
        return _change(rect, "feed_back", S.CLOSED, by, note=note, feedback_note=note)
    rect = _change(
        rect,
        "feed_back",
        S.FED_BACK,
        by,
        note=note,
        feedback_note=note,
        appeal_due=_due(settings.REVIEWS_APPEAL_DAYS),
    )
    _tell_reviewer(rect)
    return rect


def _tell_reviewer(rect: Rectification) -> None:
    review = rect.review
    user = review.reviewer
    phone = str(user.phone) if getattr(user, "phone", "") else ""
    notify.send(
        user,
        "reviews.feedback",
        {
            "责任部门": rect.department.name,
            "结果": rect.get_status_display(),
            "反馈内容": rect.feedback_note,
            "申诉期限": str(rect.appeal_due or ""),
            "链接": _absolute(reverse("reviews:mine", args=[rect.pk])),
        },
        channels=["in_app", "sms"] if phone else ["in_app"],
        address=phone or None,
        idempotency_key=f"reviews:feedback:{rect.pk}:{rect.steps.count()}",
        by=SYSTEM,
    )


def _require_reviewer(rect: Rectification, user) -> None:
    review = rect.review
    if not getattr(user, "is_authenticated", False) or review.reviewer_id != user.pk:
        raise NotFound("未找到该评价", "No such review")


def accept(rect: Rectification, *, by, note: str = "") -> Rectification:
    """The reviewer accepts the result (认可): the rectification is done."""
    _require_reviewer(rect, by)
    _require_state(rect, "accept", S.FED_BACK)
    return _change(rect, "accept", S.ACCEPTED, by, note=_note(note, required=False))


def appeal(rect: Rectification, *, by, note: str) -> Rectification:
    """申诉: the reviewer, not satisfied with the feedback (before ``appeal_due``); or the
    department, holding the rating mistaken or malicious (any time before it closes)."""
    note = _note(note)
    review = rect.review
    by_reviewer = getattr(by, "is_authenticated", False) and review.reviewer_id == by.pk
    if by_reviewer:
        _require_state(rect, "appeal", S.FED_BACK)
        if rect.appeal_due and clock.today() > rect.appeal_due:
            raise Conflict("已超过申诉期限", "The time to appeal has passed")
    else:
        access.require(by, "reviews.handle_rectification", rect)
        _require_state(rect, "appeal", *[s for s in OPEN if s != S.APPEALED])
    return _change(
        rect,
        "appeal",
        S.APPEALED,
        by,
        note=note,
        appeal_note=note,
        appeal_by_department=not by_reviewer,
        appealed_from=rect.status,
    )


def rereview(rect: Rectification, *, by, outcome: str, note: str) -> Rectification:
    """复核 by a supervisor. ``upheld``: the bad review stands, rectify again by a new
    deadline; ``settled``: the appeal fails (a reviewer's: the rectification closes; a
    department's: it goes on where it was); ``mistaken``/``malicious``: the review is
    excluded from every figure and the rectification closes."""
    access.require(by, "reviews.rereview_rectification", rect)
    _require_state(rect, "rereview", S.APPEALED)
    if outcome not in Outcome.values:
        raise InvalidInput(fields={"outcome": ["请选择复核结论 / choose an outcome"]})
    note = _note(note)
    fields = {"outcome": outcome, "rereview_note": note}
    with transaction.atomic():
        if outcome == Outcome.UPHELD:
            fields.update(rectify_due=_due(settings.REVIEWS_RECTIFY_DAYS), escalated_at=None)
            return _change(rect, "rereview", S.RECTIFYING, by, note=note, **fields)
        if outcome == Outcome.SETTLED:
            target = rect.appealed_from if rect.appeal_by_department else S.CLOSED
            return _change(rect, "rereview", target or S.CLOSED, by, note=note, **fields)
        review = rect.review
        review.excluded = outcome
        review.save(update_fields=["excluded"])
        audit.record(by, "reviews.review.exclude", review, changes={"excluded": ["", outcome]})
        return _change(rect, "rereview", S.CLOSED, by, note=note, **fields)


# Overdue ---------------------------------------------------------------------------------


def overdue_rectifications():
    """Open rectifications past their visit-back or rectification deadline, not yet escalated."""
    today = clock.today()
    late = Q(status=S.OPENED, visit_due__lt=today) | Q(
        status__in=(S.VISITED, S.RECTIFYING), rectify_due__lt=today
    )
    return Rectification.objects.filter(late, escalated_at__isnull=True)


def escalate_overdue() -> dict[str, int]:
    """督办: mark each overdue rectification escalated and tell the department's
    administrators and every supervisor; close feedback nobody answered in time."""
    escalated = 0
    for rect in overdue_rectifications().select_related("department"):
        stage = "回访" if rect.status == S.OPENED else "整改"
        due = rect.visit_due if rect.status == S.OPENED else rect.rectify_due
        with transaction.atomic():
            updated = Rectification.objects.filter(pk=rect.pk, escalated_at__isnull=True).update(
                escalated_at=clock.now()
            )
            if not updated:
                continue
            _step(rect, "escalate", rect.status, SYSTEM, note=f"{stage}逾期(期限 {due})")
            audit.record(SYSTEM, "reviews.rectification.escalate", rect, note=stage)
            for user in _supervising(rect.department_id):
                notify.send(
                    user,
                    "reviews.overdue",
                    {
                        "责任部门": rect.department.name,
                        "整改编号": str(rect.pk),
                        "环节": stage,
                        "期限": str(due),
                    },
                    channels=["in_app"],
                    idempotency_key=f"reviews:overdue:{rect.pk}:{due}:{user.pk}",
                    by=SYSTEM,
                )
        escalated += 1
    closed = 0
    unanswered = Rectification.objects.filter(status=S.FED_BACK, appeal_due__lt=clock.today())
    for rect in unanswered:
        try:
            _change(rect, "close", S.CLOSED, SYSTEM, note="评价人逾期未申诉,视为认可")
        except Conflict:
            continue
        closed += 1
    return {"escalated": escalated, "closed": closed}


def _supervising(department_id: int):
    from django.contrib.auth import get_user_model

    Role = StaffMembership.Role
    memberships = StaffMembership.objects.active().filter(
        Q(role=Role.DEPT_ADMIN, department_id=department_id) | Q(role=Role.SUPERVISOR)
    )
    ids = memberships.values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")


# Lists for the desk -----------------------------------------------------------------------


def desk(user, *, status: str = ""):
    """The rectifications ``user`` may see (``reviews.view_rectification``), overdue first."""
    rows = access.scope(user, "reviews.view_rectification", Rectification.objects.all())
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("review", "department", "window", "staff")


def appeals(user):
    """The appeals waiting for a supervisor's re-review."""
    if not access.can(user, "reviews.rereview_rectification"):
        raise PermissionDenied()
    return desk(user, status=S.APPEALED)


def get_rectification(user, pk) -> Rectification:
    """A rectification ``user`` may see (staff of its department, supervisors, or the
    reviewer); ``NotFound`` otherwise."""
    try:
        rect = Rectification.objects.select_related(
            "review__case", "review__window", "review__reviewer", "department", "window", "staff"
        ).get(pk=int(pk))
    except (Rectification.DoesNotExist, TypeError, ValueError) as error:
        raise NotFound("未找到该整改", "No such rectification") from error
    if access.can(user, "reviews.view_rectification", rect):
        return rect
    if getattr(user, "is_authenticated", False) and rect.review.reviewer_id == user.pk:
        return rect
    raise NotFound("未找到该整改", "No such rectification")


# Figures ----------------------------------------------------------------------------------


def _scope(queryset, *, department_ids=None, town_code=None, center="center"):
    if department_ids is not None:
        queryset = queryset.filter(department_id__in=list(department_ids))
    if town_code:
        queryset = queryset.filter(
            Q(**{f"{center}__statistical_code": town_code})
            | Q(**{f"{center}__parent__statistical_code": town_code})
        )
    return queryset


def bad_review_figures(*, department_ids=None, town_code=None) -> tuple[int, int]:
    """(rectified real-name bad reviews, all real-name bad reviews) for 实名差评整改率.

    Real-name: given under the reviewer's name by a signed-in account. Rectified: its
    rectification is accepted by the reviewer or closed (after the feedback went unanswered
    past REVIEWS_APPEAL_DAYS, or a re-review settled it). Reviews a re-review found mistaken
    or malicious are left out of both numbers; anonymous bad reviews are not counted."""
    rows = _scope(
        Review.objects.filter(real_name=True, level__in=BAD_LEVELS, excluded=""),
        department_ids=department_ids,
        town_code=town_code,
    )
    found = rows.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(rectification__status__in=DONE))
    )
    return found["done"], found["total"]


def rating_figures(*, department_ids=None, town_code=None) -> dict:
    """Counts for the rating rate (评价率) and satisfaction: ``reviews`` (not excluded),
    ``good`` (levels 4–5), ``bad`` (1–2), ``cases_concluded`` and ``rated_cases`` (concluded
    cases with at least one rating) in the scope."""
    reviews = _scope(
        Review.objects.filter(excluded=""), department_ids=department_ids, town_code=town_code
    ).aggregate(
        reviews=Count("pk"),
        good=Count("pk", filter=Q(level__in=GOOD_LEVELS)),
        bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
    )
    cases = _scope(
        Case.objects.filter(status=CaseStatus.CONCLUDED),
        department_ids=department_ids,
        town_code=town_code,
    ).aggregate(
        concluded=Count("pk"),
        rated=Count("pk", filter=Q(reviews__excluded=""), distinct=True),
    )
    return {
        **reviews,
        "cases_concluded": cases["concluded"],
        "rated_cases": cases["rated"],
    }


def department_stats() -> list[dict]:
    """Public figures per department (以部门公开): reviews, satisfaction % (levels 3–5 of all,
    the national 好评率), bad reviews and the real-name rectification rate. One query for the
    reviews, one for the departments."""
    rows = (
        Review.objects.filter(excluded="")
        .values("department_id")
        .annotate(
            reviews=Count("pk"),
            satisfied=Count("pk", filter=Q(level__gte=3)),
            bad=Count("pk", filter=Q(level__in=BAD_LEVELS)),
            real_bad=Count("pk", filter=Q(level__in=BAD_LEVELS, real_name=True)),
            real_done=Count(
                "pk",
                filter=Q(level__in=BAD_LEVELS, real_name=True, rectification__status__in=DONE),
            ),
        )
    )
    by_department = {row["department_id"]: row for row in rows}
    names = Department.objects.filter(pk__in=by_department).values_list("pk", "name", "sort_order")
    out = []
    for pk, name, _order in sorted(names, key=lambda row: (row[2], row[0])):
        row = by_department[pk]
        out.append(
            {
                "department_id": pk,
                "department": name,
                "reviews": row["reviews"],
                "satisfaction": _percent(row["satisfied"], row["reviews"]),
                "bad": row["bad"],
                "real_name_bad": row["real_bad"],
                "rectified": row["real_done"],
                "rectification_rate": _percent(row["real_done"], row["real_bad"]),
            }
        )
    return out


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
