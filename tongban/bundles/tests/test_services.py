"""一件事一次办: one filing, children in several departments in parallel, one material list,
the questionnaire, prerequisites, and the filing's end."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.bundles import services
from tongban.bundles.models import Bundle, BundleCase, BundleItem, BundleMaterial
from tongban.cases import flow
from tongban.cases import services as cases
from tongban.cases.models import Case, Material, Status
from tongban.cases.tests.factories import applicant_person, approver_of, clerk_of, form_item
from tongban.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf():
    return SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n% bundle\n", content_type="application/pdf")


def opening(*, extra_condition=None):
    """A business-opening bundle: four items in four departments, a fifth (social
    insurance) that waits for the first (registration), and one only for employers."""
    bundle = Bundle.objects.create(
        code="qiye-kaiban",
        name="企业开办",
        promised_days=3,
        status=Bundle.Status.PUBLISHED,
        questions=[
            {
                "key": "employs",
                "text": "是否招用员工?",
                "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}],
            }
        ],
    )
    entries = [
        BundleItem.objects.create(bundle=bundle, item=form_item(), order=n) for n in range(1, 5)
    ]
    waiting = BundleItem.objects.create(bundle=bundle, item=form_item(), order=5)
    waiting.depends_on.add(entries[0])
    BundleItem.objects.create(
        bundle=bundle,
        item=form_item(),
        order=6,
        condition=extra_condition or {"question": "employs", "in": ["yes"]},
    )
    return bundle, entries, waiting


def file_once(bundle, applicant, *, answers=None, materials=None):
    return services.submit(
        bundle,
        user=applicant,
        answers={"employs": "no"} if answers is None else answers,
        form_data={"purpose": "开办企业"},
        materials={"申请书": pdf()} if materials is None else materials,
    )


def only_task(case):
    tasks = list(flow.tasks_for(case))
    assert len(tasks) == 1, tasks
    return tasks[0]


def conclude(case, capture):
    clerk, approver = clerk_of(case.item), approver_of(case.item)
    case = cases.accept(case, by=clerk)
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    case = flow.decide(case, only_task(case), by=approver, decision="approve")
    with capture(execute=True):
        return flow.decide(case, only_task(case), by=clerk, decision="")


def test_one_filing_makes_a_case_in_each_department_sharing_one_stored_material():
    bundle, _entries, waiting = opening()
    parent = file_once(bundle, applicant_person())
    filed = list(Case.objects.filter(bundle_child__bundle_case=parent))
    assert len(filed) == 4
    assert len({case.department_id for case in filed}) == 4
    assert all(case.status == Status.SUBMITTED for case in filed)
    assert parent.children.get(bundle_item=waiting).case is None
    shared = BundleMaterial.objects.get()
    uploads = Material.objects.filter(name="申请书")
    assert uploads.count() == 4
    assert {(m.source, m.file.name, m.sha256) for m in uploads} == {
        ("bundle", shared.file.name, shared.sha256)
    }


def test_the_questionnaire_decides_which_items_apply():
    bundle, _entries, _waiting = opening()
    assert len(services.applicable(bundle, {"employs": "no"})) == 5
    assert len(services.applicable(bundle, {"employs": "yes"})) == 6
    parent = file_once(bundle, applicant_person(), answers={"employs": "yes"})
    assert parent.children.count() == 6
    with pytest.raises(InvalidInput) as refused:
        file_once(bundle, applicant_person(), answers={})
    assert "answers.employs" in refused.value.fields


def test_a_missing_or_bad_material_refuses_the_whole_filing_and_creates_nothing(media):
    bundle, _entries, _waiting = opening()
    with pytest.raises(InvalidInput) as refused:
        file_once(bundle, applicant_person(), materials={})
    assert "materials.申请书" in refused.value.fields
    fake = SimpleUploadedFile("申请书.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        file_once(bundle, applicant_person(), materials={"申请书": fake})
    assert not BundleCase.objects.exists() and not Case.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_a_waiting_item_starts_when_its_prerequisite_has_its_result_and_the_filing_ends(
    django_capture_on_commit_callbacks,
):
    bundle, entries, waiting = opening()
    parent = file_once(bundle, applicant_person())
    first = parent.children.get(bundle_item=entries[0]).case
    for entry in entries[1:]:
        conclude(parent.children.get(bundle_item=entry).case, django_capture_on_commit_callbacks)
    assert parent.children.get(bundle_item=waiting).case is None  # still waiting
    conclude(first, django_capture_on_commit_callbacks)
    started = parent.children.get(bundle_item=waiting).case
    assert started is not None and started.status == Status.SUBMITTED
    parent.refresh_from_db()
    assert parent.status == BundleCase.Status.IN_PROGRESS
    rows = services.progress(parent)
    assert len(rows) == 5 and {row["department"] for row in rows} == {
        entry.item.department.name for entry in [*entries, waiting]
    }
    conclude(started, django_capture_on_commit_callbacks)
    parent.refresh_from_db()
    assert parent.status == BundleCase.Status.CONCLUDED and parent.concluded_at


def test_a_prerequisite_refused_means_the_waiting_item_is_not_handled(
    django_capture_on_commit_callbacks,
):
    bundle, entries, waiting = opening()
    parent = file_once(bundle, applicant_person())
    first = parent.children.get(bundle_item=entries[0]).case
    cases.refuse(first, by=clerk_of(first.item), reason="材料不符合要求")
    conclude(parent.children.get(bundle_item=entries[1]).case, django_capture_on_commit_callbacks)
    child = parent.children.get(bundle_item=waiting)
    assert child.case is None and child.cancelled
    assert services.progress(parent)[4]["status"] == "不再办理"


def test_a_filing_whose_last_open_item_is_refused_ends(django_capture_on_commit_callbacks):
    bundle, entries, waiting = opening()
    parent = file_once(bundle, applicant_person())
    for entry in entries[1:]:
        conclude(parent.children.get(bundle_item=entry).case, django_capture_on_commit_callbacks)
    first = parent.children.get(bundle_item=entries[0]).case
    with django_capture_on_commit_callbacks(execute=True):
        cases.refuse(first, by=clerk_of(first.item), reason="材料不符合要求")
    parent.refresh_from_db()
    assert parent.children.get(bundle_item=waiting).cancelled
    assert parent.status == BundleCase.Status.CONCLUDED


def test_figures_compare_the_bundle_with_filing_each_item():
    bundle, _entries, _waiting = opening()
    found = services.figures(bundle, {"employs": "no"})
    assert found == {
        "items": 5,
        "materials_asked": 2,
        "materials_separately": 10,
        "visits_saved": 4,
        "promised_days": 3,
        "promised_days_separately": 50,
    }


def test_someone_elses_shared_material_cannot_be_referenced():
    bundle, _entries, _waiting = opening()
    file_once(bundle, applicant_person())
    shared = BundleMaterial.objects.get()
    stranger, item = applicant_person(), form_item()
    spec = item.current_guide.materials.get(name="申请书")
    reference = {"spec": spec.pk, "reference": {"source": "bundle", "id": str(shared.pk)}}
    with pytest.raises(InvalidInput) as refused:
        cases.submit(
            user=stranger,
            item_code=item.implementation_code,
            form_data={"purpose": "冒用"},
            materials=[reference],
            channel="web",
        )
    assert "一件事共享材料" in refused.value.fields["materials[0]"][0]


def test_handled_counts_filed_concluded_and_on_time(django_capture_on_commit_callbacks):
    bundle, entries, waiting = opening()
    parent = file_once(bundle, applicant_person())
    file_once(bundle, applicant_person())
    for entry in [*entries, waiting]:
        conclude(parent.children.get(bundle_item=entry).case, django_capture_on_commit_callbacks)
    assert services.handled("qiye-kaiban") == {"filed": 2, "concluded": 1, "on_time": 1}
    parent.refresh_from_db()
    parent.concluded_at = parent.submitted_at + datetime.timedelta(days=30)
    parent.save(update_fields=["concluded_at"])  # past the 3 promised working days
    assert services.handled("qiye-kaiban")["on_time"] == 0


def test_the_filing_and_its_end_are_one_notice_each_not_one_per_item(
    django_capture_on_commit_callbacks,
):
    from tongban.notify.models import Message

    bundle, entries, waiting = opening()
    applicant = applicant_person()
    parent = file_once(bundle, applicant)
    notices = Message.objects.filter(recipient=applicant)
    assert list(notices.values_list("template_code", flat=True)) == ["bundles.status_changed"]
    assert parent.number in notices.get().body and "已提交" in notices.get().body
    for entry in entries:
        conclude(parent.children.get(bundle_item=entry).case, django_capture_on_commit_callbacks)
    conclude(parent.children.get(bundle_item=waiting).case, django_capture_on_commit_callbacks)
    ended = notices.filter(template_code="bundles.status_changed").order_by("pk").last()
    assert "已全部办结" in ended.body and "出件窗口一次领取" in ended.body


def test_a_material_the_registries_cannot_supply_for_this_applicant_must_be_handed_in():
    bundle, _entries, _waiting = opening()
    outsider = applicant_person(in_registry=False)
    with pytest.raises(InvalidInput) as refused:
        file_once(bundle, outsider)
    assert "materials.申请人身份证明" in refused.value.fields
    assert not BundleCase.objects.exists()


def test_progress_reads_the_same_number_of_rows_however_many_items_are_accepted():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bundle, entries, _waiting = opening()
    parent = file_once(bundle, applicant_person())

    def queries():
        with CaptureQueriesContext(connection) as seen:
            services.progress(parent)
        return len(seen)

    cases.accept(parent.children.get(bundle_item=entries[0]).case, by=clerk_of(entries[0].item))
    one = queries()
    for entry in entries[1:]:
        cases.accept(parent.children.get(bundle_item=entry).case, by=clerk_of(entry.item))
    assert queries() == one
