"""The catalog admin for catalog managers: drafts, review, publication, history, compare."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.forms import ModelMultipleChoiceField, MultipleChoiceField
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.catalog import services
from tongban.catalog.models import Guide, ServiceItem
from tongban.catalog.tests.factories import BaseItemFactory, draft_item, published_item
from tongban.identity.tests.helpers import verified_login
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db


def _docx() -> bytes:
    """The parts that make a zip a Word document (attachments are sniffed: core/uploads.py)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


DOCX = _docx()
Role = StaffMembership.Role


@pytest.fixture
def manager(client):
    user = staff_with_role(Role.CATALOG_ADMIN)
    verified_login(client, user)
    return user


def change_url(guide: Guide) -> str:
    return reverse("admin:catalog_guide_change", args=[guide.pk])


def form_data(response) -> dict:
    """What the browser would post back for the page as shown (main form and inlines)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(field, MultipleChoiceField | ModelMultipleChoiceField):
                data[key] = [str(v) for v in value]
            elif isinstance(value, FieldFile):
                continue
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def test_the_lists_do_not_query_per_row(client, manager, django_assert_max_num_queries):
    for _ in range(15):
        published_item()
    with django_assert_max_num_queries(12):
        assert client.get("/admin/catalog/serviceitem/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/admin/catalog/guide/").status_code == 200


def test_adding_an_item_creates_it_with_a_draft_through_the_services(client, manager):
    base = BaseItemFactory(name="食品经营许可")
    department = DepartmentFactory()
    response = client.post(
        "/admin/catalog/serviceitem/add/",
        {
            "implementation_code": "11610124FOOD0001",
            "base_item": base.pk,
            "department": department.pk,
            "is_active": "on",
            "name": "食品经营许可",
            "service_object": "enterprise",
            "case_type": "promised",
            "review_type": "pre_review",
            "statutory_days": "20",
            "promised_days": "10",
            "max_visits": "1",
            "online_depth": "3",
        },
    )
    item = ServiceItem.objects.get(implementation_code="11610124FOOD0001")
    draft = item.guides.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(draft)
    assert (draft.version, draft.status, draft.name) == (1, "draft", "食品经营许可")
    assert AuditRecord.objects.get(action="catalog.item.create").actor == manager


def test_a_draft_is_edited_with_its_steps_through_the_services(client, manager):
    guide = draft_item(by=manager).guides.get()
    page = client.get(change_url(guide))
    data = form_data(page)
    data["promised_days"] = "8"
    data["steps-1-days"] = "2"
    data["steps-2-DELETE"] = "on"
    data["apply_ways"] = ["window", "mail"]

    response = client.post(change_url(guide), data)

    assert response.status_code == 302, response.context["errors"]
    guide.refresh_from_db()
    assert guide.promised_days == 8
    assert guide.apply_ways == ["window", "mail"]
    assert list(guide.steps.values_list("order", "name", "days")) == [
        (1, "受理", 1),
        (2, "审查", 2),
    ]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"catalog.guide.update", "catalog.guide.steps"} <= actions


def test_an_unknown_apply_way_is_refused_on_the_form(client, manager):
    guide = draft_item(by=manager).guides.get()
    data = form_data(client.get(change_url(guide)))
    data["apply_ways"] = ["fax"]
    response = client.post(change_url(guide), data)
    assert response.status_code == 200
    assert "apply_ways" in response.context["adminform"].form.errors


def test_a_published_version_is_shown_read_only_and_cannot_be_posted(client, manager):
    guide = published_item(by=manager).current_guide
    page = client.get(change_url(guide))
    assert page.status_code == 200
    assert 'name="promised_days"' not in page.text
    assert 'name="_save"' not in page.text

    response = client.post(change_url(guide), {"name": "改过的名称", "promised_days": "1"})

    assert response.status_code == 403
    guide.refresh_from_db()
    assert guide.name != "改过的名称"


def test_submitting_a_rule_breaking_draft_names_the_rule_and_changes_nothing(client, manager):
    guide = draft_item(by=manager, online_depth=4, max_visits=1).guides.get()
    records = AuditRecord.objects.count()
    page = client.get(change_url(guide))
    assert "全程网办零跑动" in page.text

    response = client.post(reverse("admin:catalog_guide_submit", args=[guide.pk]), follow=True)

    assert "「全程网办零跑动」" in response.text
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT
    assert AuditRecord.objects.count() == records


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=False)
def test_review_publishes_with_an_effective_date(client, manager):
    item = published_item(by=manager)
    draft = services.start_revision(item, by=manager)
    services.update_draft(draft, by=manager, promised_days=6)
    assert client.post(reverse("admin:catalog_guide_submit", args=[draft.pk])).status_code == 302
    url = reverse("admin:catalog_guide_publish", args=[draft.pk])
    page = client.get(url)
    assert "承诺办结时限(工作日)" in page.text  # the changes from the version in force

    response = client.post(url, {"effective_from": "2026-03-09"}, follow=True)

    assert "将于 2026-03-09 生效" in response.text
    draft.refresh_from_db()
    item.refresh_from_db()
    assert draft.status == Guide.Status.PUBLISHED
    assert item.current_guide.version == 1
    client.post(
        reverse("admin:catalog_guide_publish", args=[draft.pk]), {"effective_from": "2026-03-02"}
    )
    draft.refresh_from_db()
    assert draft.status == Guide.Status.PUBLISHED  # published once; the second post changed nothing


def test_review_can_send_a_version_back_with_a_reason(client, manager):
    guide = services.submit(draft_item(by=manager).guides.get(), by=manager)
    url = reverse("admin:catalog_guide_reject", args=[guide.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    client.post(url, {"reason": "受理条件不完整"})
    guide.refresh_from_db()
    assert guide.status == Guide.Status.DRAFT
    assert AuditRecord.objects.get(action="catalog.guide.reject").note == "受理条件不完整"


def test_a_revision_is_started_from_the_item_page_and_listed_in_its_history(client, manager):
    item = published_item(by=manager)
    response = client.post(reverse("admin:catalog_serviceitem_revise", args=[item.pk]))
    draft = item.guides.get(version=2)
    assert response["Location"] == change_url(draft)

    page = client.get(reverse("admin:catalog_serviceitem_change", args=[item.pk]))
    assert "新建修订版本" in page.text
    assert "与 v1 对比" in page.text
    assert "已发布(现行)" in page.text


def test_the_compare_page_shows_changes_by_their_chinese_labels(client, manager):
    item = published_item(by=manager)
    draft = services.start_revision(item, by=manager)
    services.update_draft(draft, by=manager, hours="全天", charges_fee=True, fee_standard="10元")
    url = reverse("admin:catalog_guide_compare")

    response = client.get(url, {"old": item.current_guide.pk, "new": draft.pk})

    assert response.status_code == 200
    labels = [change.label for change in response.context["changes"]]
    assert labels == ["是否收费", "收费标准", "办理时间"]  # in the guide's order
    assert "全天" in response.text


def test_a_clerk_may_look_but_not_publish(client):
    clerk = staff_with_role(Role.CLERK)
    verified_login(client, clerk)
    guide = services.submit(draft_item().guides.get(), by=None)
    assert client.get(change_url(guide)).status_code == 200
    url = reverse("admin:catalog_guide_publish", args=[guide.pk])
    assert client.post(url, {"effective_from": "2026-01-01"}).status_code == 403
    assert client.post(reverse("admin:catalog_guide_submit", args=[guide.pk])).status_code == 403
    guide.refresh_from_db()
    assert guide.status == Guide.Status.SUBMITTED


def test_an_unpublished_revision_can_be_thrown_away_but_not_a_published_version(client, manager):
    item = published_item(by=manager)
    draft = services.start_revision(item, by=manager)
    delete = reverse("admin:catalog_guide_delete", args=[item.current_guide.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403

    client.post(reverse("admin:catalog_guide_delete", args=[draft.pk]), {"post": "yes"})

    assert list(item.guides.values_list("version", flat=True)) == [1]
    assert AuditRecord.objects.filter(action="catalog.guide.discard").count() == 1


def test_a_blank_form_uploaded_on_a_draft_is_stored_with_its_material(
    client, manager, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    guide = draft_item(by=manager).guides.get()
    data = form_data(client.get(change_url(guide)))
    data["materials-1-blank_form"] = SimpleUploadedFile(
        "申请书.docx",
        DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )

    response = client.post(change_url(guide), data)

    assert response.status_code == 302
    material = guide.materials.get(name="申请书")
    assert material.blank_form.name.startswith("catalog/forms/")
    assert material.blank_form.read() == DOCX
    assert guide.materials.get(order=1).name == "申请人身份证明"
