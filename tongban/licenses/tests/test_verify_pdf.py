"""Uploading a license PDF: its signature, and whether it is a license of the register
(API ``POST /api/v1/licenses/verify-pdf`` and the public page)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from reportlab.pdfgen import canvas

from tongban.cases.tests.factories import form_item
from tongban.licenses import services
from tongban.licenses.models import LicenseAccess
from tongban.licenses.tests.factories import bound_type, concluded_case
from tongban.licenses.tests.test_signatures import tampered

pytestmark = pytest.mark.django_db
API = "/api/v1/licenses/verify-pdf"


@pytest.fixture
def lic(travel):
    travel(2026, 9, 30)
    item = form_item()
    bound_type(item)
    return services.issue_for_case(concluded_case(item))


def upload(content: bytes, name: str = "license.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post(content: bytes):
    return Client().post(API, {"file": upload(content)})


def test_the_issued_file_is_valid_and_the_register_copy(lic):
    body = post(lic.pdf.read()).json()
    assert body["valid"] is True and body["register_match"] == "exact"
    assert body["signature"]["valid"] and body["signature"]["signer"]
    assert body["license"]["identifier"] == lic.identifier
    assert LicenseAccess.objects.get(license=lic).note == "api:pdf"


def test_a_file_with_an_appended_update_is_recognised(lic):
    content = lic.pdf.read()
    appended = content + b"\n% a later incremental update\n"
    body = post(appended).json()
    assert body["register_match"] == "appended"
    assert body["license"]["identifier"] == lic.identifier


def test_a_changed_byte_is_reported(lic):
    body = post(tampered(lic.pdf.read())).json()
    assert body["valid"] is False
    assert body["signature"]["intact"] is False
    assert body["register_match"] == "differs"


def test_an_unsigned_pdf_that_names_no_license_is_unknown(lic):
    buffer = io.BytesIO()
    blank = canvas.Canvas(buffer)
    blank.drawString(100, 100, "not a license")
    blank.save()
    body = post(buffer.getvalue()).json()
    assert body["register_match"] == "unknown" and body["license"] is None
    assert body["signature"]["signed"] is False and body["valid"] is False


def test_not_a_pdf_is_refused(lic):
    response = post(b"hello")
    assert response.status_code == 422
    assert "file" in response.json()["fields"]


def test_the_page_checks_an_uploaded_file(lic):
    response = Client().post("/licenses/verify/", {"file": upload(lic.pdf.read())})
    assert response.status_code == 200
    text = response.content.decode()
    assert "文件签名有效,且与证照库中的证照一致" in text
    assert lic.identifier in text


def test_the_page_sends_an_entered_identifier_to_its_page(lic):
    response = Client().post("/licenses/verify/", {"identifier": lic.identifier.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/licenses/verify/{lic.identifier}/"
    slashed = Client().post("/licenses/verify/", {"identifier": "1.2.156/3005"})
    assert slashed.status_code == 400 and "开头" in slashed.content.decode()


def test_the_identifier_page_shows_the_license_or_why_not(lic):
    client = Client()
    page = client.get(f"/licenses/verify/{lic.identifier}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "有效" in text and lic.number in text and "王*明" in text
    assert str(lic.holder_code) not in text
    wrong = "Z" if lic.identifier[-1] != "Z" else "Y"  # never the right check character
    bad = client.get(f"/licenses/verify/{lic.identifier[:-1]}{wrong}/")
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    assert client.get("/licenses/verify/1.2.3/").status_code == 400


def test_the_license_qr_code_leads_to_its_page(lic):
    from tongban.licenses import rendering

    assert rendering.verify_url(lic.identifier).endswith(f"/licenses/verify/{lic.identifier}/")
    assert f"/Subject ({lic.identifier})".encode() in lic.pdf.read()
