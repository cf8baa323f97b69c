"""The demo county's 11 life events: published, loaded once, saving materials and days,
each filed once with its combined form, and 企业开办 reaching six departments.

Each test loads the demo catalog it needs, which takes most of its time.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.bundles import demo, services
from tongban.bundles.models import Bundle
from tongban.cases import flow
from tongban.cases import services as cases
from tongban.cases.models import Case, Status
from tongban.cases.tests.factories import applicant_person, approver_of, clerk_of
from tongban.catalog import demo as catalog_demo
from tongban.identity import access
from tongban.identity.tests.factories import enterprise_of
from tongban.org import demo as org_demo
from tongban.workflow import demo as workflow_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    org_demo.load()
    catalog_demo.load()
    workflow_demo.load()
    assert not demo.is_loaded()
    first = demo.load()
    return first


def test_the_eleven_events_are_published_once_and_save_materials_and_days(loaded):
    assert "一件事 11 个" in loaded and f"新建事项 {len(demo.NEW_ITEMS)} 项" in loaded
    assert demo.is_loaded()
    bundles = Bundle.objects.filter(status=Bundle.Status.PUBLISHED)
    assert bundles.count() == 11
    assert "新建事项 0 项、一件事 0 个,更新一件事 0 个" in demo.load()
    assert Bundle.objects.count() == 11
    for bundle in bundles:
        found = services.figures(bundle)
        assert found["materials_asked"] < found["materials_separately"], bundle.code
        assert found["promised_days"] <= found["promised_days_separately"], bundle.code
        assert bundle.questions and bundle.items.exclude(condition={}).exists(), bundle.code
        _check_forms(bundle)
    assert _waits_for("chusheng", "社会保障卡申领") == {"新生儿出生户口登记"}
    assert _waits_for("qiye-kaiban", "印章刻制备案") == {"企业设立登记"}
    assert _waits_for("qiye-kaiban", "发票领用") == {"企业设立登记"}
    opening = services.published("qiye-kaiban")
    assert len(services.applicable(opening, {"employs": "no"})) == 3
    assert len(services.applicable(opening, {"employs": "yes"})) == 6


def _waits_for(code, name):
    entry = services.published(code).items.get(item__current_guide__name=name)
    return {dep.item.current_guide.name for dep in entry.depends_on.all()}


def _check_forms(bundle):
    """The combined form holds every field of every item, and a key means one thing across
    the items (same type, same options)."""
    entries = list(bundle.items.select_related("item__current_guide"))
    combined = {field["key"]: field for field in services.combined_fields(entries)}
    for entry in entries:
        for field in (entry.item.current_guide.form_schema or {}).get("fields", []):
            first = combined[field["key"]]
            assert (field["type"], field.get("options")) == (first["type"], first.get("options")), (
                bundle.code,
                field["key"],
            )


def test_a_business_opening_filed_once_reaches_four_departments_at_once(
    loaded, django_capture_on_commit_callbacks
):
    bundle = services.published("qiye-kaiban")
    applicant = applicant_person()
    company = enterprise_of(applicant)
    answers = {"employs": "yes"}
    items = services.applicable(bundle, answers)
    materials = {
        entry.key: SimpleUploadedFile(
            f"{entry.key}.pdf", b"%PDF-1.4\n% demo\n", content_type="application/pdf"
        )
        for entry in services.combined_materials(items)
        if entry.required and not entry.shared_data
    }
    parent = services.submit(
        bundle,
        user=applicant,
        enterprise=company,
        answers=answers,
        form_data=_opening_form(),
        materials=materials,
    )
    filed = Case.objects.filter(bundle_child__bundle_case=parent)
    assert filed.count() == 4
    assert filed.values("department").distinct().count() >= 4
    waiting = parent.children.filter(case__isnull=True)
    assert {child.bundle_item.item.current_guide.name for child in waiting} == {
        "印章刻制备案",
        "发票领用",
    }
    registration = parent.children.get(bundle_item__order=1).case
    with django_capture_on_commit_callbacks(execute=True):
        _conclude(registration)
    assert filed.count() == 6
    assert filed.values("department").distinct().count() == 6
    assert not parent.children.filter(case__isnull=True).exists()


def _conclude(case):
    """Accept the case and do its tasks (approving) until none is left."""
    clerk, approver = clerk_of(case.item), approver_of(case.item)
    case = cases.accept(case, by=clerk)
    for _step in range(10):
        tasks = list(flow.tasks_for(case))
        if not tasks:
            break
        task = tasks[0]
        decisions = flow.decisions_of(task)
        decision = "approve" if "approve" in decisions else (decisions[0] if decisions else "")
        by = approver if access.can(approver, "workflow.complete_task", task) else clerk
        case = flow.decide(case, task, by=by, decision=decision)
    assert case.status == Status.CONCLUDED, case.status
    return case


def _opening_form():
    return {
        "company_name": "周至县秦岭猕猴桃科技有限公司",
        "company_type": "llc",
        "registered_capital": 100,
        "address": "陕西省西安市周至县二曲街道集贤路18号",
        "business_scope": "水果种植;农产品初加工;食用农产品零售",
        "legal_representative": "王小明",
        "legal_rep_id_number": "11010519491231002X",
        "contact_name": "王小明",
        "contact_id_number": "11010519491231002X",
        "contact_phone": "13800000000",
        "promise": True,
    }


def test_every_event_can_be_filed_once_with_its_combined_form(loaded):
    applicant = applicant_person()
    company = enterprise_of(applicant)
    for spec in demo.BUNDLES:
        bundle = services.published(spec["code"])
        answers = {q["key"]: q["options"][0]["value"] for q in bundle.questions}
        items = services.applicable(bundle, answers)
        objects = {entry.item.current_guide.service_object for entry in items}
        # A unit files the events none of whose items is for persons only.
        enterprise = None if "person" in objects else company
        parent = services.submit(
            bundle,
            user=applicant,
            enterprise=enterprise,
            answers=answers,
            form_data=_filled(services.combined_fields(items), company),
            materials=_uploads(items, applicant, enterprise),
        )
        ready = [entry for entry in items if not entry.depends_on.exists()]
        assert parent.children.filter(case__isnull=False).count() == len(ready), spec["code"]


def _uploads(items, applicant=None, enterprise=None):
    """A file for every required material the registries cannot supply for this applicant."""
    return {
        entry.key: SimpleUploadedFile(
            f"{entry.key}.pdf", b"%PDF-1.4\n% demo\n", content_type="application/pdf"
        )
        for entry in services.combined_materials(items)
        if entry.required
        and not (entry.shared_data and services.registry_supplies(entry, applicant, enterprise))
    }


def _filled(fields, company):
    """A value for every unconditional field of the combined form (the first option of a
    choice, a ticked box only where required), of the kind the field asks for."""
    values = {
        "text": "周至县演示",
        "textarea": "周至县演示申请事项说明",
        "address": "陕西省西安市周至县二曲街道集贤路18号",
        "date": "2026-12-01",
        "id_number": "11010519491231002X",
        "uscc": company.legal_entity.uscc,
        "phone": "13800000000",
        "email": "demo@example.com",
    }
    form = {"project_code": "2026-610124-48-01-000001"}  # the one field with a pattern
    for field in fields:
        if field["key"] in form:
            continue
        if field.get("visible_if"):
            continue
        kind = field["type"]
        if kind == "checkbox":
            form[field["key"]] = bool(field.get("required"))
        elif kind == "select":
            form[field["key"]] = field["options"][0]["value"]
        elif kind == "multiselect":
            form[field["key"]] = [field["options"][0]["value"]]
        elif kind == "number":
            form[field["key"]] = max(field.get("validation", {}).get("min", 1), 1)
        else:
            form[field["key"]] = values[kind]
    return form
