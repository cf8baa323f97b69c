"""The 受理通知书: drawn from the case, deterministic, Chinese font embedded, with the QR code;
the applicant and the department's staff get it, nobody else, and only once accepted."""

import base64
import re
import zlib

import pytest

from tongban.cases import receipts, services
from tongban.cases.tests.factories import applicant_person, clerk_of, file_case, form_item
from tongban.errors import NotFound
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db
URL = "https://zwfw.example/track/?number="


@pytest.fixture
def accepted(travel):
    travel(2026, 11, 20)
    item = form_item()
    case = file_case(item, applicant_person())
    return services.accept(case, by=clerk_of(item))


def test_lines_carry_the_case_and_mask_the_applicant(accepted):
    lines = dict(receipts.receipt_lines(accepted))
    assert lines["办件编号"] == accepted.number
    assert lines["申请事项"] == accepted.guide.name
    assert lines["承办部门"] == accepted.department.name
    assert lines["受理日期"] == "2026年11月20日"
    assert lines["承诺办结日期"] == f"{accepted.promised_due:%Y年%m月%d日}"
    assert lines["申请人"] == "王*明"
    number = str(accepted.applicant_id_number)
    assert lines["证件号码"] != number and lines["证件号码"][-4:] == number[-4:]
    assert "*" in lines["证件号码"]


def test_pdf_embeds_the_chinese_font_and_the_qr_code(accepted):
    data = receipts.receipt_pdf(accepted, tracking_url=URL + accepted.number)
    assert data.startswith(b"%PDF-")
    assert b"/FontFile2" in data  # the TrueType subset is embedded
    assert re.search(rb"/BaseFont /\w+\+WenQuanYiMicroHei", data)
    assert b"/Subtype /Image" in data  # the QR code
    assert accepted.number.encode() in data  # in the document title
    text = _text(data)
    assert "受理通知书" in text and "周至县人民政府" in text
    assert accepted.number in text and accepted.guide.name in text
    assert "王*明" in text and "王小明" not in text
    assert str(accepted.applicant_id_number) not in text
    assert "2026年11月20日" in text


def test_same_case_same_bytes(accepted):
    first = receipts.receipt_pdf(accepted, tracking_url=URL + accepted.number)
    assert receipts.receipt_pdf(accepted, tracking_url=URL + accepted.number) == first
    other = receipts.receipt_pdf(accepted, tracking_url=URL + "X")
    assert other != first  # the QR code carries the address


def test_applicant_and_department_staff_get_it_others_not(accepted):
    assert receipts.receipt_case(accepted.applicant, accepted.number) == accepted
    clerk = staff_with_role("clerk", department=accepted.department)
    assert receipts.receipt_case(clerk, accepted.number) == accepted
    stranger = staff_with_role("clerk", department=DepartmentFactory())
    with pytest.raises(NotFound):
        receipts.receipt_case(stranger, accepted.number)
    with pytest.raises(NotFound):
        receipts.receipt_case(applicant_person(), accepted.number)


def test_no_receipt_before_acceptance():
    case = file_case(form_item(), applicant_person())
    with pytest.raises(NotFound) as caught:
        receipts.receipt_case(case.applicant, case.number)
    assert "尚未受理" in caught.value.message


def _streams(data: bytes) -> list[bytes]:
    found = []
    for head, body in re.findall(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", data, re.S):
        if b"ASCII85" in head:
            body = base64.a85decode(body.strip(), adobe=True)
        if b"Flate" in head:
            body = zlib.decompress(body)
        found.append(body)
    return found


def _text(data: bytes) -> str:
    """The drawn text, read back through the fonts' ToUnicode maps (no PDF library here)."""
    maps, pages = {}, []
    for stream in _streams(data):
        name = re.search(rb"/CMapName /\w+\+\w+-(\d+) def", stream)
        if name:
            pairs = re.findall(rb"<([0-9A-F]{2})> <([0-9A-F]{4})>", stream)
            maps[name.group(1).decode()] = {int(a, 16): chr(int(b, 16)) for a, b in pairs}
        elif b" Tj" in stream:
            pages.append(stream)
    text = []
    for page in pages:
        for subset, raw in re.findall(rb"/F\d+\+(\d+) \d+ Tf [^(]*\((.*?)\) Tj", page, re.S):
            codes = _unescape(raw)
            text.append("".join(maps[subset.decode()].get(code, "") for code in codes))
        text.append("\n")
    return "".join(text)


def _unescape(raw: bytes) -> bytes:
    return re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit() else m.group(1),
        raw,
    )
