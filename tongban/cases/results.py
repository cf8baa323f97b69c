"""办结: the result of a case, how it reaches the applicant, and the result document.

``conclude_with_result`` concludes an approved or denied case recording what the applicant
gets (a license, a document, an approval or a refusal decision) and how (collected at the
出件 window, by post, electronically); ``deliver`` records that it was handed over.
``result_pdf`` draws the result document (准予许可决定书 / 不予许可决定书 / 办结通知书) on
demand: case number, item, result, date and the sign-off line of the approver who decided.
``sealed_result`` is the document as issued: the department's seal stamped and its PAdES
signature applied (``signing``), stored once; a task prepares it when the case concludes.
"""

import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tongban.audit import services as audit
from tongban.cases import services
from tongban.cases.models import Case, CaseEvent, DeliveryMethod, ResultType, Status
from tongban.cases.receipts import font, masked_applicant
from tongban.core import clock
from tongban.errors import InvalidInput, NotFound
from tongban.identity import access

TITLES = {
    ResultType.APPROVAL: "准予行政许可决定书",
    ResultType.REFUSAL: "不予行政许可决定书",
}
DEFAULT_TITLE = "办结通知书"
DECISION_VERBS = ("approve", "deny")
MISMATCHES = {(ResultType.REFUSAL, Status.APPROVED), (ResultType.APPROVAL, Status.DENIED)}


def conclude_with_result(
    case: Case,
    *,
    by,
    result_type: str,
    delivery: str,
    note: str = "",
    checked: bool = False,
) -> Case:
    """Conclude ``case`` recording its result and delivery way: one transaction, one event,
    one audit record holding both. ``checked``: the caller (a workflow task) has authorised
    the move already; otherwise ``by`` needs ``cases.conclude``."""
    _check_choice(result_type, ResultType, "result_type", "办理结果")
    _check_choice(delivery, DeliveryMethod, "delivery", "送达方式")

    def apply(locked: Case) -> dict:
        if (result_type, locked.status) in MISMATCHES:
            raise InvalidInput(
                fields={"result_type": ["办理结果与审批决定不一致 / contradicts the decision"]}
            )
        locked.concluded_at = clock.now()
        locked.result_type = result_type
        locked.delivery_method = delivery
        locked.result_note = note
        return {"result_type": [None, result_type], "delivery_method": [None, delivery]}

    return services._move(case, "conclude", by=by, note=note, apply=apply, checked=checked)


def deliver(case: Case, *, by, note: str = "") -> Case:
    """Mark the result handed over (送达): the case becomes delivered, the time recorded."""
    with transaction.atomic():
        delivered = services.deliver(case, by=by, note=note)
        delivered.delivered_at = clock.now()
        delivered.save(update_fields=["delivered_at"])
    return delivered


def _check_choice(value, choices, field: str, label: str) -> None:
    if value not in choices.values:
        allowed = "、".join(str(c.label) for c in choices)
        raise InvalidInput(
            fields={field: [f"{label}须为:{allowed} / must be one of {choices.values}"]}
        )


# --- the result document -------------------------------------------------------------------


def result_case(user, number: str) -> Case:
    """The concluded case numbered ``number`` if ``user`` may see it (``cases.view``);
    ``NotFound`` else."""
    case = (
        access.scope(user, "cases.view", Case.objects.all())
        .select_related("guide", "department")
        .filter(number=str(number or "").strip().upper())
        .first()
    )
    if case is None or not case.result_type:
        raise NotFound("未找到该办件的办理结果", "No result for this case")
    return case


def decided_by(case: Case):
    """The approver who made the decision (the latest approve / deny), or ``None``."""
    event = (
        CaseEvent.objects.filter(case=case, verb__in=DECISION_VERBS)
        .select_related("actor")
        .order_by("-pk")
        .first()
    )
    return event.actor if event else None


def sealed_result(case: Case) -> bytes:
    """The result document as issued: drawn with the department's seal stamped on the
    sign-off and signed with its certificate (PAdES, ``signing``), stored with its SHA-256
    the first time it is asked for (at conclusion, by a task) and the same bytes after."""
    from tongban.signing import services as signing

    if case.result_file:
        return _read(case.result_file)
    with transaction.atomic():
        locked = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if locked.result_file:
            return _read(locked.result_file)
        seal = signing.seal_png(signing.seal_for(case.department))
        drawn = result_pdf(case, seal=seal)
        signed = signing.sign_pdf(
            drawn, department=case.department, reason=title_of(case), purpose="cases.result"
        )
        locked.result_sha256 = hashlib.sha256(signed).hexdigest()
        locked.result_file.save(f"{case.number}.pdf", ContentFile(signed), save=False)
        locked.save(update_fields=["result_file", "result_sha256"])
        audit.record(
            "cases",
            "cases.case.seal_result",
            locked,
            changes={"result_sha256": locked.result_sha256},
        )
    case.result_file, case.result_sha256 = locked.result_file, locked.result_sha256
    return signed


def _read(file) -> bytes:
    with file.open("rb") as stored:
        return stored.read()


def result_pdf(case: Case, *, seal: bytes | None = None) -> bytes:
    """The result document as PDF bytes, unsigned (the same case always draws the same
    bytes); ``seal``: the department's seal picture (PNG), stamped over the sign-off."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle(f"{title_of(case)} {case.number}")
    name = font()
    width, height = A4
    pdf.setFont(name, 20)
    pdf.drawCentredString(width / 2, height - 40 * mm, title_of(case))
    pdf.setFont(name, 12)
    y = height - 60 * mm
    for label, value in lines(case):
        pdf.drawString(25 * mm, y, f"{label}:{value}")
        y -= 10 * mm
    y -= 10 * mm
    if seal is not None:
        size = 42 * mm
        pdf.drawImage(
            ImageReader(io.BytesIO(seal)),
            width - 25 * mm - size,
            y - size + 12 * mm,
            size,
            size,
            mask="auto",
        )
    for label, value in sign_off(case):
        pdf.drawRightString(width - 25 * mm, y, f"{label}:{value}")
        y -= 9 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def title_of(case: Case) -> str:
    return TITLES.get(case.result_type, DEFAULT_TITLE)


def lines(case: Case) -> list[tuple[str, str]]:
    applicant, id_number = masked_applicant(case)
    found = [
        ("办件编号", case.number),
        ("申请人", applicant),
        ("证件号码", id_number),
        ("申请事项", case.guide.name),
        ("办理结果", case.get_result_type_display()),
        ("送达方式", case.get_delivery_method_display()),
    ]
    if case.result_note:
        found.append(("说明", case.result_note))
    return found


def sign_off(case: Case) -> list[tuple[str, str]]:
    approver = decided_by(case)
    signer = (approver.get_full_name() or approver.username) if approver else "—"
    concluded = timezone.localdate(case.concluded_at) if case.concluded_at else clock.today()
    return [
        ("承办部门", case.department.name),
        ("审批人(签发)", signer),
        ("办结日期", f"{concluded.year}年{concluded.month}月{concluded.day}日"),
    ]
