"""受理通知书: the acceptance receipt of a case, a one-page PDF drawn on demand.

Nothing is stored: the receipt is drawn from the case each time it is asked for, and the same
case (and tracking address) always gives the same bytes (reportlab's ``invariant`` mode: no
creation time, fixed document id). The text is Chinese, in the embedded WQY MicroHei font
(DESIGN.md §5 "Documents"); the applicant's name and ID number are masked. A QR code leads to
the public tracking page with the case number filled in.
"""

import io
from functools import cache

import qrcode
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from tongban.cases.models import Case
from tongban.core.pii import mask
from tongban.errors import NotFound
from tongban.identity import access

FONT = "WenQuanYiMicroHei"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
QR_SIZE = 32 * mm


@cache
def font() -> str:
    """Register the CJK font once per process; its name for ``setFont``."""
    pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))
    return FONT


def receipt_case(user, number: str) -> Case:
    """The accepted case ``number`` if ``user`` may see it (its applicant, the enterprise's
    representatives with ``view``, staff of its department): ``NotFound`` otherwise."""
    case = (
        access.scope(user, "cases.view", Case.objects.all())
        .select_related("guide", "department", "center")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise NotFound("未找到该办件", "No such case")
    if case.accepted_on is None:
        raise NotFound("该办件尚未受理,暂无受理通知书", "The case has not been accepted yet")
    return case


def masked_applicant(case: Case) -> tuple[str, str]:
    """(name, ID number) as printed: a person's masked, an enterprise's credit code in full
    (public by law), its name in full."""
    if case.enterprise_id:
        return str(case.applicant_name), str(case.applicant_id_number or "")
    return mask(case.applicant_name, "name"), mask(case.applicant_id_number, "id_number")


def receipt_lines(case: Case) -> list[tuple[str, str]]:
    """The receipt's table, label and value: what the PDF prints, in order."""
    name, id_number = masked_applicant(case)
    due = f"{case.promised_due:%Y年%m月%d日}" if case.promised_due else "—"
    if case.due_provisional:
        due += "(节假日安排公布后核定)"
    return [
        ("办件编号", case.number),
        ("申请事项", case.guide.name),
        ("承办部门", case.department.name),
        ("申请人", name),
        ("证件号码", id_number or "—"),
        ("受理日期", f"{case.accepted_on:%Y年%m月%d日}"),
        ("承诺办结日期", due),
    ]


def receipt_pdf(case: Case, *, tracking_url: str) -> bytes:
    """The receipt of an accepted case; ``tracking_url`` goes into the QR code."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(f"Acceptance notice {case.number}")
    pdf.setAuthor(settings.TONGBAN_COUNTY_NAME)
    width, height = A4
    face = font()
    pdf.setFont(face, 12)
    pdf.drawCentredString(width / 2, height - 30 * mm, f"{settings.TONGBAN_COUNTY_NAME}人民政府")
    pdf.setFont(face, 20)
    pdf.drawCentredString(width / 2, height - 42 * mm, "受理通知书")
    pdf.setFont(face, 12)
    y = height - 62 * mm
    for label, value in receipt_lines(case):
        pdf.drawString(25 * mm, y, f"{label}:")
        pdf.drawString(60 * mm, y, value)
        y -= 9 * mm
    y -= 4 * mm
    for line in _body(case):
        pdf.drawString(25 * mm, y, line)
        y -= 7 * mm
    _qr(pdf, tracking_url, x=width - 25 * mm - QR_SIZE, y=y - QR_SIZE - 6 * mm)
    pdf.setFont(face, 9)
    pdf.drawString(25 * mm, y - 12 * mm, "扫描右侧二维码,凭办件编号和手机号码")
    pdf.drawString(25 * mm, y - 17 * mm, "或证件号码查询办理进度。")
    pdf.setFont(face, 12)
    pdf.drawRightString(width - 25 * mm, 40 * mm, case.department.name)
    pdf.drawRightString(width - 25 * mm, 32 * mm, f"{case.accepted_on:%Y年%m月%d日}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _body(case: Case) -> list[str]:
    return [
        "你(单位)提出的申请,申请材料齐全、符合法定形式,",
        "依据《中华人民共和国行政许可法》第三十二条的规定,决定予以受理。",
        "我们将在承诺时限内办结,请留意短信通知。",
    ]


def _qr(pdf, url: str, *, x: float, y: float) -> None:
    """The tracking address as a QR code image (error correction M)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(url)
    code.make(fit=True)
    image = code.make_image().get_image()
    pdf.drawImage(ImageReader(image), x, y, width=QR_SIZE, height=QR_SIZE)
