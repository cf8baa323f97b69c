"""受理回执 of a 一件事 filing: ONE receipt for the whole filing, drawn on demand.

It lists every item of the filing with its department and case number (an item waiting
for another's result shows 等待前置事项), the bundle's promised date (working days from the
submission, ``cases.workdays``) and how the results come out together (一口出件). Same
filing, same bytes (reportlab's ``invariant`` mode); the Chinese font is the one of the
case receipt (``cases.receipts.font``); the applicant is masked; a QR code leads to the
tracking page.
"""

import io

import qrcode
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tongban.bundles.models import BundleCase
from tongban.cases import workdays
from tongban.cases.models import DeliveryMethod
from tongban.cases.receipts import QR_SIZE, font
from tongban.core.pii import mask

WAITING = "等待前置事项"
NOT_HANDLED = "不再办理"
LEFT, BOTTOM = 25 * mm, 30 * mm
DELIVERY = {
    DeliveryMethod.POST: "一口出件:全部办理结果合并邮寄送达",
    DeliveryMethod.ELECTRONIC: "一口出件:全部办理结果以电子证照合并送达",
}
AT_WINDOW = "一口出件:全部办理结果在综合出件窗口一次领取"


def applicant_lines(bundle_case: BundleCase) -> list[tuple[str, str]]:
    """The applicant as printed: a person masked, an enterprise by its name in full."""
    user = bundle_case.applicant
    lines = [
        ("申请人", mask(user.get_full_name(), "name") or "—"),
        ("证件号码", mask(user.id_number, "id_number") or "—"),
    ]
    if bundle_case.enterprise_id:
        lines.insert(0, ("申请单位", bundle_case.enterprise.legal_entity.name))
    return lines


def promised_date(bundle_case: BundleCase) -> str:
    """The bundle's promised date, counted in working days from the day of submission."""
    submitted = timezone.localdate(bundle_case.submitted_at)
    due = workdays.due(submitted, bundle_case.bundle.promised_days)
    shown = f"{due.date:%Y年%m月%d日}"
    return shown + ("(节假日安排公布后核定)" if due.provisional else "")


def delivery_line(bundle_case: BundleCase) -> str:
    line = DELIVERY.get(bundle_case.delivery_method, AT_WINDOW)
    if bundle_case.delivery_method == DeliveryMethod.POST:
        line += f"(地址:{mask(bundle_case.delivery_address, 'address')})"
    return line


def item_rows(bundle_case: BundleCase) -> list[tuple[str, str, str]]:
    """Every applicable item: its name, its department, its case number (or why none)."""
    rows = []
    children = bundle_case.children.select_related(
        "bundle_item__item__current_guide", "bundle_item__item__department", "case__guide"
    )
    for child in children:
        item = child.bundle_item.item
        name = child.case.guide.name if child.case_id else item.current_guide.name
        number = child.case.number if child.case_id else ""
        rows.append((name, item.department.name, number or _pending(child)))
    return rows


def _pending(child) -> str:
    return NOT_HANDLED if child.cancelled else WAITING


def receipt_lines(bundle_case: BundleCase) -> list[tuple[str, str]]:
    """The receipt's heading table, label and value, in order."""
    submitted = timezone.localtime(bundle_case.submitted_at)
    return [
        ("一件事", bundle_case.bundle.name),
        ("一件事编号", bundle_case.number),
        *applicant_lines(bundle_case),
        ("提交日期", f"{submitted:%Y年%m月%d日}"),
        ("承诺办结日期", promised_date(bundle_case)),
        ("出件方式", delivery_line(bundle_case)),
    ]


def receipt_pdf(bundle_case: BundleCase, *, tracking_url: str) -> bytes:
    """The one receipt of a filing; ``tracking_url`` goes into the QR code."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(f"Bundle receipt {bundle_case.number}")
    pdf.setAuthor(settings.TONGBAN_COUNTY_NAME)
    width, height = A4
    face = font()
    pdf.setFont(face, 12)
    pdf.drawCentredString(width / 2, height - 25 * mm, f"{settings.TONGBAN_COUNTY_NAME}人民政府")
    pdf.setFont(face, 20)
    pdf.drawCentredString(width / 2, height - 37 * mm, "受理回执")
    pdf.setFont(face, 11)
    pdf.drawCentredString(width / 2, height - 45 * mm, "(一件事一次办)")
    y = height - 60 * mm
    for label, value in receipt_lines(bundle_case):
        pdf.drawString(LEFT, y, f"{label}:")
        pdf.drawString(LEFT + 30 * mm, y, value)
        y -= 8 * mm
    y = _items(pdf, item_rows(bundle_case), y - 4 * mm)
    y = _room(pdf, y, QR_SIZE + 20 * mm)
    _qr(pdf, tracking_url, x=width - LEFT - QR_SIZE, y=y - QR_SIZE - 4 * mm)
    pdf.setFont(face, 9)
    pdf.drawString(LEFT, y - 10 * mm, "各事项由承办部门并联办理,办理进度可扫描右侧二维码,")
    pdf.drawString(LEFT, y - 15 * mm, "凭一件事编号查询;全部事项办结后结果一次送达。")
    pdf.setFont(face, 12)
    pdf.drawRightString(
        width - LEFT, BOTTOM + 8 * mm, f"{settings.TONGBAN_COUNTY_NAME}政务服务中心"
    )
    pdf.drawRightString(
        width - LEFT, BOTTOM, f"{timezone.localdate(bundle_case.submitted_at):%Y年%m月%d日}"
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _items(pdf, rows, y: float) -> float:
    """The items table: 序号, 事项, 承办部门, 办件编号; a new page when it runs out."""
    face = font()
    columns = (LEFT, LEFT + 10 * mm, LEFT + 80 * mm, LEFT + 120 * mm)
    heading = ("序号", "事项", "承办部门", "办件编号")
    pdf.setFont(face, 10)
    for x, text in zip(columns, heading, strict=True):
        pdf.drawString(x, y, text)
    y -= 7 * mm
    for index, (name, department, number) in enumerate(rows, 1):
        y = _room(pdf, y, 7 * mm)
        pdf.setFont(face, 10)
        cells = (str(index), _clip(name, 22), _clip(department, 12), number)
        for x, text in zip(columns, cells, strict=True):
            pdf.drawString(x, y, text)
        y -= 7 * mm
    pdf.setFont(face, 12)
    return y


def _room(pdf, y: float, needed: float) -> float:
    """``y``, or the top of a new page when less than ``needed`` is left above the footer."""
    if y - needed > BOTTOM + 16 * mm:
        return y
    pdf.showPage()
    pdf.setFont(font(), 12)
    return A4[1] - 25 * mm


def _qr(pdf, url: str, *, x: float, y: float) -> None:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    pdf.drawImage(ImageReader(code.make_image().get_image()), x, y, width=QR_SIZE, height=QR_SIZE)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def receipt_response(request, bundle_case: BundleCase, *, tracking_url: str = "") -> HttpResponse:
    """The receipt as an attachment named after the filing number. The caller has checked
    that ``request.user`` may see the filing; ``tracking_url`` defaults to the public
    tracking page with the filing number filled in."""
    url = tracking_url or request.build_absolute_uri(
        f"{reverse('portal:track')}?number={bundle_case.number}"
    )
    response = HttpResponse(receipt_pdf(bundle_case, tracking_url=url), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{bundle_case.number}.pdf"'
    return response
