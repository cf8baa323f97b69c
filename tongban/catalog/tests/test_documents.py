"""One item as plain data: export, validation that writes nothing, idempotent import."""

import copy
import datetime
import json

import pytest
import time_machine

from tongban.audit.models import AuditRecord
from tongban.catalog import services
from tongban.catalog.documents import apply_document, item_document, validate_document
from tongban.catalog.models import BaseItem, Guide, ServiceItem
from tongban.catalog.tests.factories import published_item
from tongban.errors import InvalidInput
from tongban.org.tests.factories import (
    DepartmentFactory,
    TownCenterFactory,
    VillageCenterFactory,
    WindowFactory,
    staff_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_item():
    """An item using every part of a document: relations, points, files, FAQ, a fee."""
    town, village = TownCenterFactory(), VillageCenterFactory()
    window = WindowFactory(center=town)
    item = published_item(
        department=DepartmentFactory(code="market"),
        points=[{"center": village, "mode": "assisted"}, {"center": town, "mode": "entrusted"}],
        materials=[
            {
                "name": "食品经营许可申请书",
                "source": "applicant",
                "copies": 2,
                "medium": "paper",
                "blank_form": "catalog/forms/apply.docx",
                "sample": "catalog/samples/apply.pdf",
                "notes": "签字盖章",
            },
            {
                "name": "营业执照",
                "source": "government",
                "requirement": "conditional",
                "condition": "已办理营业执照的",
                "license_type_code": "BL001",
            },
        ],
        charges_fee=True,
        fee_basis="陕价费发〔2020〕1号",
        fee_standard="每件 10 元",
        online_payment=True,
        result_sample="catalog/results/sample.pdf",
        faq=[{"q": "多久办好?", "a": "10 个工作日"}],
        city_wide=True,
    )
    guide = services.start_revision(item, by=None)
    services.update_draft(
        guide, by=None, windows=[window], joint_departments=[DepartmentFactory(code="tax")]
    )
    services.publish(guide, by=None, effective_from=datetime.date(2026, 1, 1))
    item.refresh_from_db()
    return item


def fresh_copy(doc: dict) -> dict:
    """The document as it would come back from a file: JSON through and through."""
    return json.loads(json.dumps(doc, ensure_ascii=False))


def forget(item: ServiceItem) -> None:
    """Remove the item and its versions, as if the catalog had never held it."""
    ServiceItem.objects.filter(pk=item.pk).update(current_guide=None)
    ServiceItem.objects.filter(pk=item.pk).delete()


def test_the_document_carries_every_element_by_model_name(rich_item):
    doc = item_document(rich_item)
    assert doc["department"] == "market"
    assert doc["version"] == 2
    assert doc["effective_from"] == "2026-01-01"
    assert set(doc["guide"]) == set(services.ELEMENT_FIELDS) | {"windows", "joint_departments"}
    assert "status" not in doc["guide"] and "change_note" not in doc["guide"]
    window = rich_item.current_guide.windows.get()
    assert doc["guide"]["windows"] == [f"{window.center.statistical_code}/{window.number}"]
    assert doc["guide"]["joint_departments"] == ["tax"]
    assert doc["guide"]["result_sample"] == "catalog/results/sample.pdf"
    assert doc["materials"][0]["blank_form"] == "catalog/forms/apply.docx"
    assert [s["name"] for s in doc["steps"]] == ["受理", "审查", "决定"]
    assert doc == fresh_copy(doc)


def test_a_document_round_trips_into_an_empty_catalog(rich_item):
    doc = fresh_copy(item_document(rich_item))
    forget(rich_item)

    item, changed = apply_document(copy.deepcopy(doc), by=None)

    assert changed
    assert item_document(item) == doc
    assert item.current_guide.status == Guide.Status.PUBLISHED


def test_applying_the_same_document_twice_makes_no_new_version(rich_item):
    doc = fresh_copy(item_document(rich_item))
    records = AuditRecord.objects.count()

    item, changed = apply_document(doc, by=None)

    assert not changed
    assert item.guides.count() == 2
    assert AuditRecord.objects.count() == records


def test_a_changed_document_publishes_a_new_version_and_supersedes_the_old(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["guide"]["promised_days"] = 8
    doc["materials"].pop()

    item, changed = apply_document(doc, by=None)

    assert changed
    assert item.current_guide.version == 3
    assert item.current_guide.promised_days == 8
    assert item.current_guide.materials.count() == 1
    assert item.guides.get(version=2).status == Guide.Status.SUPERSEDED
    assert apply_document(doc, by=None)[1] is False


def test_a_revision_carrying_the_old_versions_date_takes_effect_today(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["guide"]["promised_days"] = 8

    with time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC)):
        item, _changed = apply_document(doc, by=None)

    assert doc["effective_from"] == "2026-01-01"
    assert item.current_guide.effective_from == datetime.date(2026, 11, 27)


def test_changing_only_the_item_does_not_make_a_new_version(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["is_active"] = False
    doc["base"]["name"] = "食品经营许可(新名称)"

    item, changed = apply_document(doc, by=None)

    assert changed
    assert item.is_active is False
    assert item.base_item.name == "食品经营许可(新名称)"
    assert item.guides.count() == 2


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=False)
def test_a_future_dated_document_waits_and_is_still_idempotent(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["guide"]["hours"] = "工作日 9:00-17:00"
    doc["effective_from"] = "2026-04-01"

    item, _changed = apply_document(doc, by=None)
    assert item.current_guide.version == 2
    assert apply_document(doc, by=None)[1] is False
    assert item.guides.count() == 3


def test_validation_reports_every_bad_field_and_writes_nothing(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["implementation_code"] = "11610124NEW0001"
    doc["department"] = "nowhere"
    doc["guide"]["case_type"] = "sometimes"
    doc["guide"]["online_depth"] = 4
    doc["guide"]["joint_departments"] = ["tax", "ghost"]
    doc["guide"]["windows"] = ["999999999/Z99"]
    doc["guide"]["colour"] = "red"
    doc["base"]["item_type"] = "99"
    doc["steps"][1]["days"] = "three"
    doc["materials"][0]["source"] = "somewhere"
    doc["acceptance_points"][0]["center"] = "000000000"
    items, records = ServiceItem.objects.count(), AuditRecord.objects.count()

    errors = validate_document(doc)

    assert set(errors) == {
        "department",
        "guide.case_type",
        "guide.max_visits",
        "guide.joint_departments",
        "guide.windows",
        "guide.colour",
        "base.item_type",
        "steps[1].days",
        "materials[0].source",
        "acceptance_points[0].center",
    }
    assert "nowhere" in errors["department"][0]
    assert "「全程网办零跑动」" in errors["guide.max_visits"][0]
    assert "ghost" in errors["guide.joint_departments"][0]
    assert (ServiceItem.objects.count(), AuditRecord.objects.count()) == (items, records)

    with pytest.raises(InvalidInput) as caught:
        apply_document(doc, by=None)
    assert caught.value.fields == errors
    assert ServiceItem.objects.count() == items


def test_a_rule_breaking_document_names_the_rule(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["steps"] = [{"name": "审查", "days": 30, "description": ""}]
    errors = validate_document(doc)
    assert list(errors) == ["steps"]
    assert "「许可时限递进」" in errors["steps"][0]


def test_missing_parts_are_reported_not_crashed_on():
    errors = validate_document({"guide": "?", "steps": {}})
    assert {"implementation_code", "department", "base", "guide", "steps"} <= set(errors)
    assert validate_document([]) == {"document": ["文档应为对象 / the document must be an object"]}


def test_a_document_cannot_replace_a_version_while_a_draft_is_open(rich_item):
    services.start_revision(rich_item, by=None)
    doc = fresh_copy(item_document(rich_item))
    assert validate_document(doc) == {}
    doc["guide"]["hours"] = "全天"
    assert "v3" in validate_document(doc)["implementation_code"][0]


def test_a_new_item_keeps_the_version_number_the_document_gives():
    town = TownCenterFactory()
    doc = fresh_copy(item_document(published_item(points=[{"center": town, "mode": "authorized"}])))
    doc.update(implementation_code="11610124COPY0001", version=4)
    item, _changed = apply_document(doc, by=None)
    assert item.current_guide.version == 4
    assert BaseItem.objects.count() == 1


def test_strings_from_a_spreadsheet_are_read_as_their_types(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["guide"]["promised_days"] = "10"
    doc["steps"][0]["days"] = "1"
    assert validate_document(doc) == {}
    assert apply_document(doc, by=None)[1] is False


def test_a_clerk_cannot_import(rich_item):
    doc = fresh_copy(item_document(rich_item))
    doc["guide"]["hours"] = "全天"
    with pytest.raises(services.PermissionDenied):
        apply_document(doc, by=staff_with_role("clerk"))
    assert rich_item.guides.count() == 2
