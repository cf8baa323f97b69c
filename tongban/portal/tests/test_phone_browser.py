"""An application completed end to end on a phone (375 × 812): a signed-in L2 person
searches, opens the guide, applies with a photo of the application form, sees the case
page with its number and tracks it. On every page: no horizontal scrolling, every button at
least 44 px high; axe finds nothing serious on the case and tracking pages."""

import pytest

from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, form_item
from tongban.catalog.search import reindex
from tongban.tests.browser import axe_violations, describe, record_offsite, screenshot, sign_in

WIDTH = 375
LAYOUT = """() => {
    const small = [];
    for (const el of document.querySelectorAll(
        'button, .button, input[type=submit], input[type=button], input[type=reset]')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
        if (box.height < 44) small.push(`${el.outerHTML.slice(0, 100)} → ${box.height}px`);
    }
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > 375.5 && !el.closest('.site-nav')) {
            wide.push(`${el.tagName.toLowerCase()}.${el.className} → ${Math.round(box.right)}px`);
        }
    }
    const links = [...document.querySelectorAll('.site-nav a')]
        .map((a) => a.getBoundingClientRect());
    const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
        && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const overlap = links.some((box, i) => i > 0 && meet(box, links[i - 1]));
    return {width: document.documentElement.scrollWidth, small, wide: wide.slice(0, 8), overlap};
}"""


def _sign_in(context, live_server, user):
    sign_in(context, live_server.url, user)


def fits(page) -> None:
    found = page.evaluate(LAYOUT)
    assert found["width"] <= WIDTH, f"{page.url}: {found['width']}px wide: {found['wide']}"
    assert found["small"] == [], f"{page.url}: buttons under 44px: {found['small']}"
    assert not found["overlap"], f"{page.url}: the site navigation's links overlap"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_person_applies_and_tracks_on_a_phone(
    phone_page, live_server, notice_templates, tmp_path
):
    page = phone_page
    item, person = form_item(), applicant_person()
    reindex([item.pk])
    name = item.current_guide.name
    _sign_in(page.context, live_server, person)
    offsite = record_offsite(page, live_server.url)

    page.goto(live_server.url + "/")
    fits(page)
    search = page.get_by_role("searchbox").first
    search.fill(name)
    search.press("Enter")
    page.wait_for_load_state()
    fits(page)

    page.get_by_role("link", name=name).first.click()
    page.wait_for_load_state()
    assert name in page.locator("h1").first.inner_text()
    fits(page)

    page.get_by_role("link", name="在线办理").first.click()
    page.wait_for_load_state()
    assert "在线申请" in page.locator("h1").inner_text()
    page.get_by_label("申请事由").fill("办理手机上的证明")
    photo = tmp_path / "申请书.jpg"
    photo.write_bytes(_jpeg())
    form = page.locator("fieldset", has=page.locator("legend", has_text="申请书"))
    form.locator("input[type=file]").first.set_input_files(str(photo))
    fits(page)
    screenshot(page, "phone-apply", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()

    case = Case.objects.get()
    assert case.number in page.locator("p.notice", has_text="申请已提交").inner_text()
    assert page.get_by_role("cell", name=case.number).is_visible()
    fits(page)
    screenshot(page, "phone-case", full_page=True)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.goto(f"{live_server.url}/track/?number={case.number}")
    page.get_by_label("手机号码或证件号码").fill(str(person.id_number))
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=name).is_visible()
    assert page.get_by_text(case.get_status_display()).first.is_visible()
    fits(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert offsite == []


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (240, 240, 240)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_fee_to_pay_fits_a_phone(phone_page, live_server, notice_templates):
    from tongban.payments import services
    from tongban.payments.tests.factories import case_at_payment

    page, person = phone_page, applicant_person()
    case, _clerk = case_at_payment(applicant=person)
    order = services.order_for(case)
    _sign_in(page.context, live_server, person)

    page.goto(f"{live_server.url}/my/cases/{case.number}/")
    assert page.get_by_role("button", name="去支付").is_visible()
    fits(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.goto(f"{live_server.url}/payments/{order.number}/")
    assert page.get_by_role("cell", name="证书工本费").is_visible()
    fits(page)
    screenshot(page, "phone-pay", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_status_pages_fit_a_phone_in_elderly_mode(phone_page, live_server, notice_templates):
    from tongban.cases.tests.factories import file_case
    from tongban.tests.browser import elder_mode

    page, person = phone_page, applicant_person()
    case = file_case(form_item(), person)
    _sign_in(page.context, live_server, person)
    elder_mode(page.context, live_server.url)

    for path in ("/my/cases/", f"/my/cases/{case.number}/"):
        page.goto(live_server.url + path)
        assert page.evaluate("() => document.documentElement.classList.contains('elder')")
        assert page.get_by_text(case.number).first.is_visible()
        fits(page)
        violations = axe_violations(page)
        assert violations == [], describe(violations)

    page.goto(f"{live_server.url}/track/?number={case.number}")
    page.get_by_label("手机号码或证件号码").fill(str(person.id_number))
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name=case.number).is_visible()
    fits(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
