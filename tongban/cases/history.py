"""Recording a change of a case: its ``CaseEvent``, its audit record, the applicant's notice.

Called inside the transaction that makes the change, so the three commit or roll back with
it; the notice's delivery itself is queued by ``notify`` after the commit.
"""

from tongban.audit import services as audit
from tongban.cases.models import Case, CaseEvent
from tongban.core import clock
from tongban.notify import services as notify

STATUS_TEMPLATE = "cases.status_changed"


def record(
    case: Case,
    verb: str,
    from_status: str,
    *,
    by,
    note: str = "",
    changes=None,
    quiet: bool = False,
) -> CaseEvent:
    """``quiet``: the applicant hears of this change another way (a 一件事 filing sends one
    notice for all its items)."""
    event = CaseEvent.objects.create(
        case=case,
        from_status=from_status,
        to_status=case.status,
        verb=verb,
        actor=account(by),
        note=note,
        at=clock.now(),
    )
    audit.record(
        by,
        f"cases.case.{verb}",
        case,
        changes={"status": [from_status or None, case.status], **(changes or {})},
        note=note,
    )
    if from_status != case.status and not quiet:
        notify_applicant(case, event, note=note, by=by)
    return event


def notify_applicant(case: Case, event: CaseEvent, *, note: str, by) -> None:
    """In-app always; SMS as well when the applicant's account has a phone number."""
    user = case.applicant
    phone = str(user.phone) if user.phone else ""
    notify.send(
        user,
        STATUS_TEMPLATE,
        {
            "办件编号": case.number,
            "事项名称": case.guide.name,
            "状态": case.get_status_display(),
            "说明": note,
        },
        channels=["in_app", "sms"] if phone else ["in_app"],
        address=phone or None,
        idempotency_key=f"cases:{case.pk}:event:{event.pk}",
        by=by,
    )


def account(actor):
    """The account behind ``actor`` (``None`` for a system process given as a string)."""
    return actor if getattr(actor, "pk", None) and hasattr(actor, "is_active") else None
