"""一件事一次办 pages: the published bundles with their figures, the questionnaire, one form
and one material list, filing once (refused field by field, once per token), one progress
view for the applicant only, and the bundle context on the staff workbench."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.bundles import services, views
from tongban.bundles.models import Bundle, BundleCase, BundleItem
from tongban.bundles.tests.test_services import file_once, opening
from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, clerk_of, file_case, form_item
from tongban.identity.models import Level
from tongban.identity.tests.helpers import verified_login

pytestmark = pytest.mark.django_db
INDEX, MY = "/bundles/", "/my/bundles/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf():
    return SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n% page\n", content_type="application/pdf")


def small_bundle(code: str, *, status=Bundle.Status.PUBLISHED) -> Bundle:
    bundle = Bundle.objects.create(code=code, name=f"一件事{code}", promised_days=4, status=status)
    for order in (1, 2):
        BundleItem.objects.create(bundle=bundle, item=form_item(), order=order)
    return bundle


def material_field(response, name: str) -> str:
    row = next(r for r in response.context["materials"] if r["material"].key == name)
    return row["field"]


def filing_post(response, **extra):
    """The form's POST data as the page drew it: answers, token, the 申请书 upload."""
    data = {q["name"]: q["value"] for q in response.context["questions"]}
    data.update(token=response.context["token"], purpose="开办企业", delivery="window")
    data[material_field(response, "申请书")] = pdf()
    data.update(extra)
    return data


# --- the list -------------------------------------------------------------------------------


def test_the_list_shows_published_bundles_with_what_they_save(client):
    bundle, _entries, _waiting = opening()
    small_bundle("draft-one", status=Bundle.Status.DRAFT)
    response = client.get(INDEX)
    assert response.status_code == 200
    [entry] = response.context["entries"]
    assert entry["bundle"] == bundle
    assert entry["figures"] == services.figures(bundle)
    text = response.content.decode()
    assert "企业开办" in text and "一件事draft-one" not in text
    assert "2 份(分别办理需 12 份)" in text


def test_the_list_asks_the_same_number_of_queries_for_one_bundle_or_many(client):
    small_bundle("a-one")
    with CaptureQueriesContext(connection) as one:
        client.get(INDEX)
    for code in ("b-two", "c-three", "d-four"):
        small_bundle(code)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INDEX)
    assert len(response.context["entries"]) == 4
    assert len(many) == len(one) == 3  # the page, the items, their materials


# --- one bundle: questionnaire, form, materials ------------------------------------------


def test_before_answering_the_page_asks_the_questions_only(client):
    opening()
    response = client.get("/bundles/qiye-kaiban/")
    assert response.status_code == 200
    assert not response.context["answered"]
    assert "是否招用员工?" in response.content.decode()
    assert "一张表单" not in response.content.decode()


def test_the_answers_decide_the_items_and_the_materials_are_asked_once(client):
    opening()
    client.force_login(applicant_person())
    no = client.get("/bundles/qiye-kaiban/?q_employs=no")
    yes = client.get("/bundles/qiye-kaiban/?q_employs=yes")
    assert len(no.context["items"]) == 5 and len(yes.context["items"]) == 6
    names = [row["material"].name for row in no.context["materials"]]
    assert names == ["申请人身份证明", "申请书"]
    text = no.content.decode()
    assert "免于提交(数据共享)" in text
    assert "5 个事项共用,只需提交一次" in text
    departments = {entry.item.department.name for entry in no.context["items"]}
    assert all(name in text for name in departments)
    filled = {f["key"]: f["filled"] for f in no.context["fields"]}
    assert filled["applicant_name"]["value"] == "王小明"  # 一证通办: prefilled, not asked
    assert [f["key"] for f in no.context["fields"]].count("purpose") == 1


def test_a_bad_answer_is_refused_in_chinese(client):
    opening()
    response = client.get("/bundles/qiye-kaiban/?q_employs=maybe")
    assert response.status_code == 422
    assert "请回答:是否招用员工?" in response.content.decode()


def test_an_unknown_or_unpublished_bundle_is_404(client):
    small_bundle("hidden", status=Bundle.Status.DRAFT)
    assert client.get("/bundles/hidden/").status_code == 404
    assert client.get("/bundles/nothing/").status_code == 404


# --- filing once ------------------------------------------------------------------------------


def test_filing_once_creates_the_children_and_a_double_submit_files_once(client):
    opening()
    person = applicant_person()
    client.force_login(person)
    page = client.get("/bundles/qiye-kaiban/?q_employs=no")
    data = filing_post(page)
    response = client.post("/bundles/qiye-kaiban/", data)
    parent = BundleCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{MY}{parent.number}/?new=1"
    assert parent.applicant == person and parent.answers == {"employs": "no"}
    assert Case.objects.filter(bundle_child__bundle_case=parent).count() == 4
    data[material_field(page, "申请书")] = pdf()
    again = client.post("/bundles/qiye-kaiban/", data)
    assert again["Location"] == response["Location"]
    assert BundleCase.objects.count() == 1


def test_a_missing_field_and_material_are_refused_field_by_field_and_nothing_made(client):
    opening()
    client.force_login(applicant_person())
    page = client.get("/bundles/qiye-kaiban/?q_employs=no")
    data = filing_post(page, purpose="")
    del data[material_field(page, "申请书")]
    response = client.post("/bundles/qiye-kaiban/", data)
    assert response.status_code == 422
    fields = {f["key"]: f["errors"] for f in response.context["fields"]}
    assert fields["purpose"] and "请填写" in fields["purpose"][0]
    row = next(r for r in response.context["materials"] if r["material"].key == "申请书")
    assert row["errors"] == ["请提交“申请书” / required"]
    assert not BundleCase.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("person_l1", 403), ("staff", 403)]
)
def test_only_signed_in_l2_people_file(client, who, status):
    opening()
    if who == "person_l1":
        client.force_login(applicant_person(level=Level.L1))
    elif who == "staff":
        verified_login(client, clerk_of(form_item()))
    response = client.post("/bundles/qiye-kaiban/", {"q_employs": "no", "purpose": "x"})
    assert response.status_code == status
    if who == "anonymous":
        assert "/login" in response["Location"]
    assert not BundleCase.objects.exists()


# --- progress -------------------------------------------------------------------------------


def test_the_applicant_sees_one_progress_view_across_departments(client):
    bundle, _entries, _waiting = opening()
    person = applicant_person()
    parent = file_once(bundle, person)
    client.force_login(person)
    response = client.get(f"{MY}{parent.number}/")
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 5 and sum(1 for r in rows if r["case_number"]) == 4
    text = response.content.decode()
    first = rows[0]["case_number"]
    assert f'href="/my/cases/{first}/"' in text
    assert "等待前置事项结果" in text and "全部结果在一个窗口领取" in text
    listed = client.get(MY)
    assert [p.number for p in listed.context["rows"]] == [parent.number]


def test_someone_else_gets_404_for_a_filing(client):
    bundle, _entries, _waiting = opening()
    parent = file_once(bundle, applicant_person())
    client.force_login(applicant_person())
    assert client.get(f"{MY}{parent.number}/").status_code == 404
    assert client.get(MY).context["rows"] == []


def test_the_progress_page_asks_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    bundle, _entries, _waiting = opening()
    person = applicant_person()
    parent = file_once(bundle, person, answers={"employs": "yes"})
    client.force_login(person)
    with django_assert_max_num_queries(10):
        response = client.get(f"{MY}{parent.number}/")
    assert len(response.context["rows"]) == 6


def test_the_child_case_page_links_to_the_filing(client):
    bundle, _entries, _waiting = opening()
    person = applicant_person()
    parent = file_once(bundle, person)
    child = Case.objects.filter(bundle_child__bundle_case=parent).first()
    client.force_login(person)
    text = client.get(f"/my/cases/{child.number}/").content.decode()
    assert f'href="{MY}{parent.number}/"' in text


# --- staff: the bundle context -----------------------------------------------------------


def test_the_workbench_shows_a_child_case_its_filing_and_siblings_without_their_forms(client):
    bundle, entries, _waiting = opening()
    parent = file_once(bundle, applicant_person())
    case = parent.children.get(bundle_item=entries[0]).case
    verified_login(client, clerk_of(case.item))
    response = client.get(f"/workbench/cases/{case.number}/")
    assert response.status_code == 200
    context = response.context["bundle"]
    assert context["parent"] == parent
    assert [row["this"] for row in context["rows"]].count(True) == 1
    text = response.content.decode()
    assert parent.number in text and "企业开办" in text
    for entry in entries[1:]:
        assert entry.item.department.name in text
    assert text.count("开办企业") == 1  # this case's own form only


def test_a_case_filed_on_its_own_has_no_bundle_context():
    item = form_item()
    assert views.context_of(file_case(item, applicant_person())) is None


def test_the_one_receipt_is_the_applicants_only(client):
    bundle, _entries, _waiting = opening()
    person = applicant_person()
    parent = file_once(bundle, person)
    client.force_login(person)
    response = client.get(f"{MY}{parent.number}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert parent.number in response["Content-Disposition"]
    client.force_login(applicant_person())
    assert client.get(f"{MY}{parent.number}/receipt.pdf").status_code == 404


def test_a_full_disk_shows_the_form_again_with_the_reason_and_files_nothing(client, settings):
    from tongban.cases.tests.test_full_disk import FullDisk

    opening()
    client.force_login(applicant_person())
    page = client.get("/bundles/qiye-kaiban/?q_employs=no")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{FullDisk.__module__}.FullDisk", "OPTIONS": {}},
    }
    FullDisk.room = 0

    response = client.post("/bundles/qiye-kaiban/", filing_post(page))

    assert response.status_code == 503
    assert "存储空间不足" in response.content.decode()
    assert not BundleCase.objects.exists() and not Case.objects.exists()
