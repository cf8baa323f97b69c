"""The application form on a phone and for the elderly: steps, a summary of errors linking to
their fields, keyboards for phone and number fields, the camera for materials, and reusing a
material on file (使用已提交过的材料). Browser tests: axe in normal and elderly mode."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.cases.models import Case, Material
from tongban.cases.tests.factories import FORM, applicant_person, file_case, form_item
from tongban.tests.browser import axe_violations, describe, elder_mode, sign_in

FIELDS = [
    *FORM["fields"],
    {"key": "contact_phone", "type": "phone", "label": "联系电话", "required": True},
    {"key": "household", "type": "number", "label": "家庭人口"},
    {"key": "spouse_id", "type": "id_number", "label": "配偶身份证号码"},
]


@pytest.fixture(autouse=True)
def fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def phone_item():
    return form_item(form_schema={"title": "申请表", "fields": FIELDS})


def apply_url(item):
    return f"/items/{item.implementation_code}/apply/"


def spec_of(item, name="申请书"):
    return item.current_guide.materials.get(name=name)


def pdf():
    return SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n% t\n", content_type="application/pdf")


def jpeg():
    return SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0photo", content_type="image/jpeg")


@pytest.mark.django_db
def test_the_form_has_steps_phone_keyboards_and_the_camera(client):
    item = phone_item()
    client.force_login(applicant_person())

    page = client.get(apply_url(item)).content.decode()

    steps = page[page.index('class="steps') : page.index("</ol>")]
    assert [name in steps for name in ("填写申请表", "上传材料", "选择送达方式", "提交")] == [
        True
    ] * 4
    assert steps.count('aria-current="step"') == 1
    phone = re.search(r'<input id="f-contact_phone"[^>]*>', page).group(0)
    assert 'type="tel"' in phone and 'inputmode="tel"' in phone and 'autocomplete="tel"' in phone
    number = re.search(r'<input id="f-household"[^>]*>', page).group(0)
    assert 'inputmode="decimal"' in number
    id_field = re.search(r'<input id="f-spouse_id"[^>]*>', page).group(0)
    assert 'autocomplete="off"' in id_field and 'maxlength="18"' in id_field
    spec = spec_of(item)
    photo = re.search(rf'<input id="m-{spec.pk}-photo"[^>]*>', page).group(0)
    assert 'capture="environment"' in photo and 'accept="image/jpeg,image/png"' in photo
    upload = re.search(rf'<input id="m-{spec.pk}-file"[^>]*>', page).group(0)
    assert "capture" not in upload and ".pdf" in upload and f'name="material_{spec.pk}"' in upload
    assert "使用已提交过的材料" not in page  # nothing on file yet


@pytest.mark.django_db
def test_a_refused_form_sums_up_its_errors_linking_to_each_field(client):
    item = phone_item()
    client.force_login(applicant_person())

    response = client.post(apply_url(item), {"token": "s1", "delivery": "post"})

    assert response.status_code == 422
    page = response.content.decode()
    summary = page[page.index('id="errors"') : page.index("</div>", page.index('id="errors"'))]
    spec = spec_of(item)
    for target in ("#f-purpose", "#f-contact_phone", f"#m-{spec.pk}", "#f-delivery-address"):
        assert f'href="{target}"' in summary, target
    assert 'id="f-purpose"' in page and 'aria-describedby="e-purpose"' in page
    assert 'id="e-purpose"' in page  # the error beside its field too
    assert f'id="m-{spec.pk}"' in page and f'id="me-{spec.pk}"' in page
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_photo_taken_on_the_phone_is_a_material(client):
    item = phone_item()
    client.force_login(applicant_person())
    data = {"purpose": "开证明", "contact_phone": "13800138000", "token": "p1"}

    response = client.post(apply_url(item), {**data, f"photo_{spec_of(item).pk}": jpeg()})

    assert response.status_code == 302, response.content.decode()[:2000]
    material = Case.objects.get().materials.get(name="申请书")
    assert material.content_type == "image/jpeg" and material.file.name.endswith(".jpg")


@pytest.mark.django_db
def test_a_material_on_file_is_offered_and_reused(client):
    item = phone_item()
    me = applicant_person()
    before = file_case(item, me, form_data={"purpose": "上次", "contact_phone": "13800138000"})
    earlier = before.materials.get(name="申请书")
    client.force_login(me)
    spec = spec_of(item)

    page = client.get(apply_url(item)).content.decode()
    assert "使用已提交过的材料" in page and before.number in page
    assert f'name="reuse_{spec.pk}" value="{earlier.pk}"' in page

    data = {"purpose": "再次申请", "contact_phone": "13800138000", "token": "r1"}
    response = client.post(apply_url(item), {**data, f"reuse_{spec.pk}": str(earlier.pk)})

    assert response.status_code == 302
    case = Case.objects.exclude(pk=before.pk).get()
    again = case.materials.get(name="申请书")
    assert again.file.name == earlier.file.name and again.sha256 == earlier.sha256
    assert again.reference_id == str(earlier.pk)


@pytest.mark.django_db
def test_someone_elses_material_cannot_be_slipped_in(client):
    item = phone_item()
    theirs = file_case(
        item, applicant_person(), form_data={"purpose": "x", "contact_phone": "13800138000"}
    ).materials.get(name="申请书")
    me = applicant_person()
    client.force_login(me)
    spec = spec_of(item)
    data = {"purpose": "冒用", "contact_phone": "13800138000", "token": "x1"}

    response = client.post(apply_url(item), {**data, f"reuse_{spec.pk}": str(theirs.pk)})

    assert response.status_code == 422 and "请提交“申请书”" in response.content.decode()
    assert not Material.objects.filter(case__applicant=me).exists()


# --- in a browser -----------------------------------------------------------------------------


def _signed_in(browser, live_server, user, *, elder=False, **options):
    context = browser.new_context(locale="zh-CN", **options)
    sign_in(context, live_server.url, user)
    if elder:
        elder_mode(context, live_server.url)
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_apply_form_passes_axe_in_normal_and_elderly_mode(
    browser, live_server, notice_templates
):
    item = phone_item()
    me = applicant_person()
    file_case(item, me, form_data={"purpose": "上次", "contact_phone": "13800138000"})
    for elder in (False, True):
        context = _signed_in(
            browser, live_server, me, elder=elder, viewport={"width": 375, "height": 812}
        )
        page = context.new_page()
        page.goto(f"{live_server.url}{apply_url(item)}")
        page.get_by_role("button", name="提交申请").click()  # errors beside fields + summary
        page.wait_for_selector("#errors")
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        context.close()
