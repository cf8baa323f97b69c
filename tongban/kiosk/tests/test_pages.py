"""The kiosk pages on an enrolled terminal: the start screen, the menu, applying (fields,
errors, what the kiosk cannot take), my cases and the receipt, progress look-up."""

import pytest
from django.urls import reverse

from tongban.cases.models import Case, Channel
from tongban.cases.tests.factories import applicant_person, file_case, form_item
from tongban.identity.models import Level
from tongban.kiosk.tests.test_services import enrolled, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(reader, terminal, person):
    client = enrolled(terminal)
    place(reader, person)
    assert client.get(reverse("kiosk:card")).json()["status"] == "signed_in"
    return client


def test_the_start_screen_offers_card_sign_in_guides_and_progress(terminal, client):
    page = enrolled(terminal).get(reverse("kiosk:start")).content.decode()
    assert "刷身份证登录" in page and "办事指南查询" in page and "进度查询" in page
    reading = enrolled(terminal).get(reverse("kiosk:start") + "?card=1").content.decode()
    assert "请将身份证放在读卡区" in reading
    assert "尚未登记为自助终端" in client.get(reverse("kiosk:start")).content.decode()


def test_the_menu_lists_the_kiosk_items(signed_in, kiosk_item):
    page = signed_in.get(reverse("kiosk:menu")).content.decode()
    for label in ("我要办事", "我的办件", "打印回执", "退出", kiosk_item.current_guide.name):
        assert label in page


def test_applying_files_a_kiosk_case_and_shows_the_receipt(signed_in, kiosk_item, person):
    url = reverse("kiosk:apply", args=[kiosk_item.implementation_code])
    page = signed_in.get(url).content.decode()
    assert "免提交,由人口库共享" in page and 'data-pad-for="f-contact_phone"' in page
    assert 'name="note"' not in page  # optional free text: not asked on the kiosk

    data = {
        "token": "abc123",
        "category": "resident",
        "contact_phone": "13900001238",
        "start": "2026-01-01",
        "promise": "1",
    }
    response = signed_in.post(url, data)

    case = Case.objects.get(applicant=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("kiosk:receipt", args=[case.number])
    assert case.channel == Channel.KIOSK and case.materials.count() == 1
    receipt = signed_in.get(response["Location"]).content.decode()
    assert case.number in receipt and "打印回执" in receipt
    assert signed_in.post(url, data)["Location"] == response["Location"]  # same token
    cases = signed_in.get(reverse("kiosk:my_cases")).content.decode()
    assert case.number in cases


def test_missing_answers_are_said_beside_each_field(signed_in, kiosk_item):
    url = reverse("kiosk:apply", args=[kiosk_item.implementation_code])
    response = signed_in.post(url, {"token": "t1", "contact_phone": "139"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="e-category"' in page and 'id="e-contact_phone"' in page
    assert not Case.objects.exists()


def test_an_item_needing_free_text_or_a_scan_sends_the_person_to_a_window(signed_in):
    item = form_item()  # 申请事由 (free text) and 申请书 (an upload)
    page = signed_in.get(reverse("kiosk:apply", args=[item.implementation_code]))
    text = page.content.decode()
    assert "自助终端无法提供" in text and "申请事由" in text and "申请书" in text
    assert "提交申请" not in text


def test_an_l1_account_is_told_to_complete_real_name_first(reader, terminal, kiosk_item):
    weak = applicant_person(level=Level.L1)
    client = enrolled(terminal)
    place(reader, weak)
    client.get(reverse("kiosk:card"))
    response = client.get(reverse("kiosk:apply", args=[kiosk_item.implementation_code]))
    assert response.status_code == 403 and "实名等级 L2" in response.content.decode()


def test_someone_elses_receipt_is_not_found(signed_in, kiosk_item):
    other = file_case(form_item(), applicant_person())
    response = signed_in.get(reverse("kiosk:receipt", args=[other.number]))
    assert response.status_code == 404


def test_person_pages_need_a_kiosk_session(terminal, kiosk_item):
    client = enrolled(terminal)
    for url in (reverse("kiosk:menu"), reverse("kiosk:my_cases")):
        assert client.get(url)["Location"] == reverse("kiosk:start")


def test_progress_look_up_by_number_and_phone_or_id_number(terminal, person):
    case = file_case(form_item(), person)
    client = enrolled(terminal)
    found = client.post(
        reverse("kiosk:track"), {"number": case.number, "secret": str(person.id_number)}
    )
    assert case.number in found.content.decode() and "当前状态" in found.content.decode()
    missing = client.post(reverse("kiosk:track"), {"number": "", "secret": ""})
    assert missing.status_code == 422
