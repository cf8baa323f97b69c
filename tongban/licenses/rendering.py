"""The license PDF: title, number, surface data, holder, issuer with the seal stamped over it,
dates, the identifier and a QR code of the public verification address.

Drawn with reportlab in ``invariant`` mode (no creation time, a fixed document id), so the
same license and seal picture always give the same bytes; the CJK font is embedded
(``cases.receipts.font``). The type's ``layout`` may choose ``"page": "A4-landscape"`` and a
``title`` other than the type's name.
"""

import contextlib
import io
import threading
from functools import lru_cache

import qrcode
from django.conf import settings
from django.urls import reverse
from PIL import Image
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from tongban.cases.receipts import font
from tongban.licenses.models import License

QR_SIZE = 30 * mm
SEAL_SIZE = 42 * mm
SEAL_PIXELS = 240  # about 145 dpi at 42 mm
LONG_TERM = "长期"
MARGIN = 25 * mm
_streams_lock = threading.Lock()
VERIFY_HINT = "扫描二维码或登录政务服务网“证照核验”核验本证照的真实性和状态。"
EQUAL_FORCE = "与纸质证照具有同等法律效力。"
VALUE_WIDTH = 26  # CJK characters per line of a surface value (A4 portrait, 13 pt)


def verify_url(identifier: str) -> str:
    """The public verification page of ``identifier`` (printed as the QR code)."""
    path = reverse("licenses:verify_identifier", kwargs={"identifier": identifier})
    return settings.LICENSES_PUBLIC_URL + path


def validity_text(lic: License) -> str:
    end = f"{lic.valid_to:%Y年%m月%d日}" if lic.valid_to else LONG_TERM
    return f"{lic.valid_from:%Y年%m月%d日} 至 {end}"


def surface_lines(lic: License) -> list[tuple[str, str]]:
    """(label, value) of the type's surface fields, in the type's order."""
    rows = []
    for spec in lic.license_type.fields or []:
        value = lic.surface.get(spec.get("key"), "")
        if value in ("", None):
            continue
        rows.append((str(spec.get("label") or spec.get("key")), _text(value)))
    return rows


def lines(lic: License) -> list[tuple[str, str]]:
    """Everything the license prints above the issuer line, label and value, in order."""
    return [
        ("证照编号", lic.number),
        ("持证主体", str(lic.holder_name)),
        ("持证主体代码", str(lic.holder_code)),
        *surface_lines(lic),
        ("有效期限", validity_text(lic)),
    ]


def render(lic: License, *, seal_png: bytes | None) -> bytes:
    """The license as a one-page PDF; ``seal_png`` is stamped over the issuer's name."""
    with _binary_streams():
        return _draw(lic, seal_png)


@contextlib.contextmanager
def _binary_streams():
    """Streams deflated but not ASCII85-armoured while a license is drawn: reportlab's
    pure-Python ASCII85 (its C accelerator is not installed) was half the drawing time.

    ``rl_config.useA85`` is process-wide: set under a lock and restored. A PDF drawn by
    another thread meanwhile (a receipt) gets binary streams too, which is equally valid;
    licenses are drawn by the task worker, where nothing else draws.
    """
    with _streams_lock:
        before = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = before


def _draw(lic: License, seal_png: bytes | None) -> bytes:
    layout = lic.license_type.layout or {}
    size = landscape(A4) if layout.get("page") == "A4-landscape" else A4
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, invariant=1, pageCompression=1)
    pdf.setTitle(f"{lic.license_type.name} {lic.number}")
    pdf.setAuthor(lic.issuer.name)
    pdf.setSubject(lic.identifier)
    pdf.setKeywords(f"identifier={lic.identifier}")
    face = font()
    width, height = size
    pdf.setFont(face, 24)
    pdf.drawCentredString(width / 2, height - 35 * mm, layout.get("title") or lic.license_type.name)
    pdf.setFont(face, 10)
    pdf.drawCentredString(width / 2, height - 43 * mm, "(电子证照)")
    y = _table(pdf, face, lines(lic), top=height - 60 * mm)
    _issuer(pdf, face, lic, seal_png, x=width - MARGIN, y=max(y - 20 * mm, 75 * mm))
    _footer(pdf, face, lic, width=width)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _table(pdf, face: str, rows: list[tuple[str, str]], *, top: float) -> float:
    pdf.setFont(face, 13)
    y = top
    for label, value in rows:
        pdf.drawString(MARGIN, y, f"{label}:")
        for part in _wrap(value):
            pdf.drawString(MARGIN + 38 * mm, y, part)
            y -= 7 * mm
        y -= 3 * mm
    return y


def _issuer(pdf, face: str, lic: License, seal_png: bytes | None, *, x: float, y: float) -> None:
    pdf.setFont(face, 13)
    pdf.drawRightString(x, y, f"颁证单位:{lic.issuer.name}")
    pdf.drawRightString(x, y - 9 * mm, f"颁证日期:{lic.issued_on:%Y年%m月%d日}")
    if seal_png:
        name_width = pdf.stringWidth(lic.issuer.name, face, 13)
        centre = x - name_width / 2
        pdf.drawImage(
            ImageReader(_seal_image(seal_png)),
            centre - SEAL_SIZE / 2,
            y - SEAL_SIZE / 2,
            width=SEAL_SIZE,
            height=SEAL_SIZE,
            mask="auto",
        )


def _footer(pdf, face: str, lic: License, *, width: float) -> None:
    _qr(pdf, verify_url(lic.identifier), x=MARGIN, y=20 * mm)
    pdf.setFont(face, 8)
    text_x = MARGIN + QR_SIZE + 5 * mm
    pdf.drawString(text_x, 40 * mm, "证照标识:")
    pdf.drawString(text_x, 35 * mm, lic.identifier)
    pdf.drawString(text_x, 28 * mm, VERIFY_HINT)
    pdf.drawString(text_x, 23 * mm, f"本证照由{lic.issuer.name}以电子印章签发,{EQUAL_FORCE}")


def _qr(pdf, url: str, *, x: float, y: float) -> None:
    """The address as a QR code drawn as vector squares (sharp at any zoom, nothing to
    encode); a fixed mask pattern skips the library's costly search for the best one."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=0
    )
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = QR_SIZE / len(matrix)
    path = pdf.beginPath()
    for row, cells in enumerate(matrix):
        top = y + QR_SIZE - (row + 1) * module
        for start, length in _runs(cells):
            path.rect(x + start * module, top, length * module, module)
    pdf.saveState()
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.restoreState()


def _runs(cells: list[bool]) -> list[tuple[int, int]]:
    """The dark stretches of one QR row as (first column, length): one rectangle each
    instead of one per module, a third as many path operators."""
    runs, start = [], None
    for column, dark in enumerate([*cells, False]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column - start))
            start = None
    return runs


@lru_cache(maxsize=64)
def _seal_image(png: bytes) -> Image.Image:
    """The seal picture at print resolution (the provider's is larger than a 42 mm stamp
    needs): decoded and scaled once per picture."""
    image = Image.open(io.BytesIO(png))
    image.load()
    if max(image.size) > SEAL_PIXELS:
        image = image.resize((SEAL_PIXELS, SEAL_PIXELS), Image.Resampling.LANCZOS)
    return image


def _text(value) -> str:
    if isinstance(value, list | tuple):
        return "、".join(str(part) for part in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _wrap(value: str) -> list[str]:
    value = value.replace("\n", " ")
    return [value[i : i + VALUE_WIDTH] for i in range(0, len(value), VALUE_WIDTH)] or [""]
