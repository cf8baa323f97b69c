"""The one 受理回执 of a filing: every item with its department and case number (or 等待前置
事项), the bundle's promised date, 一口出件, the applicant masked, a QR code; same filing,
same bytes."""

import datetime
import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from tongban.bundles import publishing, receipts, services
from tongban.bundles.tests.test_publishing import catalog_admin, draft
from tongban.cases import workdays
from tongban.cases.tests.factories import applicant_person

pytestmark = pytest.mark.django_db
URL = "https://zwfw.example/track/?number="
ZHOUZHI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def filing():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 10, tzinfo=ZHOUZHI), tick=False):
        bundle = publishing.publish(draft(promised_days=8), by=catalog_admin())
        return file(bundle)


def file(bundle, **kwargs):
    upload = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n%\n", content_type="application/pdf")
    return services.submit(
        bundle,
        user=applicant_person(),
        answers={"employs": "yes"},
        form_data={"purpose": "开办企业"},
        materials={"申请书": upload},
        **kwargs,
    )


def text_of(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def test_the_receipt_lists_every_item_with_its_department_and_number(filing):
    data = receipts.receipt_pdf(filing, tracking_url=URL + filing.number)
    assert data.startswith(b"%PDF-") and b"/Subtype /Image" in data  # the QR code
    text = text_of(data)
    assert "受理回执" in text and "周至县人民政府" in text and "一件事一次办" in text
    assert filing.bundle.name in text and filing.number in text
    children = list(filing.children.select_related("case", "bundle_item__item__department"))
    assert len(children) == 3
    for child in children:
        assert child.bundle_item.item.department.name in text
        if child.case_id:
            assert child.case.number in text
    assert "等待前置事项" in text  # the third waits for the first
    assert "王*明" in text and "王小明" not in text
    assert str(filing.applicant.id_number) not in text
    assert "一口出件" in text and "2026年11月20日" in text


def test_the_promised_date_counts_the_bundles_working_days(filing):
    lines = dict(receipts.receipt_lines(filing))
    due = workdays.due(datetime.date(2026, 11, 20), 8).date
    assert lines["承诺办结日期"] == f"{due:%Y年%m月%d日}" == "2026年12月02日"
    assert lines["一件事编号"] == filing.number and lines["申请人"] == "王*明"
    assert lines["出件方式"].startswith("一口出件") and "窗口" in lines["出件方式"]


def test_posted_results_go_out_together():
    bundle = publishing.publish(draft(), by=catalog_admin())
    posted = file(bundle, delivery="post", delivery_address="周至县二曲街道文昌路88号")
    line = dict(receipts.receipt_lines(posted))["出件方式"]
    assert "合并邮寄" in line and "文昌路88号" not in line


def test_same_filing_same_bytes(filing):
    first = receipts.receipt_pdf(filing, tracking_url=URL + filing.number)
    assert receipts.receipt_pdf(filing, tracking_url=URL + filing.number) == first
    assert receipts.receipt_pdf(filing, tracking_url=URL + "X") != first


def test_the_response_is_an_attachment_named_after_the_filing(filing):
    request = RequestFactory().get("/")
    response = receipts.receipt_response(request, filing)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filing.number}.pdf"'
    assert filing.number in text_of(response.content)
