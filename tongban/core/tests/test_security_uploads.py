"""Every upload point: an allowed type, a size limit naming the limit, and content sniffing
(tongban/core/uploads.py): a PNG renamed .pdf, an oversize file and an executable are refused."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tongban.cases import materials, schedules
from tongban.core import uploads
from tongban.errors import InvalidInput
from tongban.licenses import verification
from tongban.metrics import ledger

PDF = b"%PDF-1.7\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
EXE = b"MZ\x90\x00" + b"\x00" * 60


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["2027-01-01", "放假"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name, body, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, body, content_type=content_type)


# the shared check -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (_zip("[Content_Types].xml", "xl/workbook.xml"), "xlsx"),
        (_zip("[Content_Types].xml", "word/document.xml"), "docx"),
        (_zip("OFD.xml", "Doc_0/Document.xml"), "ofd"),
        (_zip("[Content_Types].xml"), None),  # a zip that is no known document
        (b"PK\x03\x04 not a zip at all", None),
        (EXE, None),
    ],
)
def test_sniffing_names_what_the_bytes_are(body, kind):
    assert uploads.sniff(io.BytesIO(body)) == kind


def test_the_extension_and_the_declared_type_must_agree_with_the_bytes():
    kinds = ("pdf", "png")
    assert uploads.kind_of(upload("a.pdf", PDF, "application/pdf"), kinds) == "pdf"
    assert uploads.kind_of(upload("a.pdf", PDF, "text/plain"), kinds) == "pdf"  # vague type
    assert uploads.kind_of(upload("a.pdf", PNG, "application/pdf"), kinds) is None
    assert uploads.kind_of(upload("a.pdf", PNG, "image/png"), kinds) is None  # renamed
    assert uploads.kind_of(upload("a.png", PNG, "application/pdf"), kinds) is None


# case materials (portal, window, API and 一件事 filings all go through materials) ----------


def test_materials_refuse_a_png_renamed_pdf():
    problem = materials.check_upload("身份证", upload("身份证.pdf", PNG, "application/pdf"))
    assert problem.startswith("“身份证”只能是 PDF、JPG、PNG、OFD 文件")


def test_materials_refuse_an_oversize_file_naming_the_limit():
    big = upload("大.pdf", PDF + b"0" * materials.MAX_BYTES, "application/pdf")
    assert materials.check_upload("营业执照", big) == (
        "“营业执照”的文件超过 20 MB / larger than 20 MB"
    )


def test_materials_refuse_an_executable():
    assert "只能是" in materials.check_upload("申请书", upload("申请书.pdf", EXE))
    assert "只能是" in materials.check_upload("申请书", upload("run.exe", EXE))


def test_materials_take_the_type_from_the_bytes():
    accepted = upload("photo.png", PNG, "application/octet-stream")
    assert materials.check_upload("照片", accepted) is None
    assert materials.content_type_of(accepted) == "image/png"


# ledger evidence ---------------------------------------------------------------------------


def test_evidence_refuses_a_png_renamed_pdf_an_oversize_file_and_an_executable(settings):
    settings.METRICS_EVIDENCE_MAX_BYTES = 1024 * 1024
    problems = ledger._check_files(
        [
            upload("照片.pdf", PNG, "application/pdf"),
            upload("大.pdf", PDF + b"0" * 1024 * 1024, "application/pdf"),
            upload("run.exe", EXE),
            upload("ok.docx", _zip("[Content_Types].xml", "word/document.xml")),
        ]
    )["files"]
    assert len(problems) == 3
    assert problems[0].startswith("“照片.pdf”只能是")
    assert problems[1] == "“大.pdf”的文件超过 1 MB / larger than 1 MB"
    assert problems[2].startswith("“run.exe”只能是")


# the holiday schedule workbook (admin) ------------------------------------------------------


def test_the_holiday_workbook_must_be_an_xlsx():
    assert schedules.read_workbook(io.BytesIO(_xlsx()))[0]
    for refused in (
        upload("假期.xlsx", PNG),
        upload("假期.xlsx", _zip("[Content_Types].xml", "word/document.xml")),  # a .docx
        upload("run.exe", EXE),
    ):
        with pytest.raises(InvalidInput) as error:
            schedules.read_workbook(refused)
        assert "只能是 Excel 文件" in error.value.fields["file"][0]


def test_the_holiday_workbook_has_a_size_limit():
    big = upload("假期.xlsx", _xlsx() + b"0" * schedules.WORKBOOK_MAX_BYTES)
    with pytest.raises(InvalidInput) as error:
        schedules.read_workbook(big)
    assert "超过 2 MB" in error.value.fields["file"][0]


# license verification by PDF ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [PNG, EXE, PDF[:4] + b"0" * (verification.MAX_PDF_BYTES + 1)], ids=["png", "exe", "big"]
)
def test_license_verification_takes_only_a_pdf_within_the_limit(body):
    with pytest.raises(InvalidInput) as error:
        verification.check_pdf(body, ip="192.0.2.77")
    assert error.value.fields["file"] == [
        "请上传不超过10MB的PDF证照文件 / upload a PDF of at most 10 MB"
    ]


# guide attachments in the catalog admin ---------------------------------------------------


class _Form:
    """What ``checked_attachment`` reads of a bound admin form."""

    def __init__(self, value):
        from django import forms

        self.cleaned_data = {"blank_form": value}
        self.fields = {"blank_form": forms.FileField(label="空白表格")}


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload("申请表.pdf", PNG, "application/pdf"), "“空白表格”只能是"),
        (upload("申请表.pdf", PDF + b"0" * (20 * 1024 * 1024)), "超过 20 MB"),
        (upload("申请表.exe", EXE), "“空白表格”只能是"),
    ],
    ids=["png-renamed-pdf", "oversize", "executable"],
)
def test_guide_attachments_are_checked(file, message):
    from django import forms

    from tongban.catalog.admin import checked_attachment

    with pytest.raises(forms.ValidationError) as error:
        checked_attachment(_Form(file), "blank_form")
    assert message in error.value.messages[0]
    assert checked_attachment(_Form(upload("申请表.pdf", PDF)), "blank_form") is not None
