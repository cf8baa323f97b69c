"""The ledger's services: loading the plan, reporting progress, status, overdue alerts,
keeping the ledger, and who may do what."""

import datetime
import hashlib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tongban.audit.models import AuditRecord
from tongban.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tongban.metrics import demo, ledger
from tongban.metrics.models import Evidence, LedgerTask
from tongban.notify.models import Message
from tongban.org.demo import DEPARTMENTS
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db
Role = StaffMembership.Role
BEIJING = ZoneInfo("Asia/Shanghai")
Status = LedgerTask.Status
PDF = b"%PDF-1.4\n%harness\n"


def at(year, month, day):
    return time_machine.travel(
        datetime.datetime(year, month, day, 9, 0, tzinfo=BEIJING), tick=False
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.METRICS_LEDGER_WARN_DAYS = 15


@pytest.fixture
def units():
    """The county departments the plan names, by code (as the org demo names them)."""
    return {
        code: DepartmentFactory(code=code, name=name, short_name=short)
        for code, name, short, _category in DEPARTMENTS
    }


@pytest.fixture
def loaded(units):
    ledger.load_plan()
    return units


def task(number: int) -> LedgerTask:
    return LedgerTask.objects.get(number=number)


def admin_of(department):
    return staff_with_role(Role.DEPT_ADMIN, department=department)


def supervisor():
    return staff_with_role(Role.SUPERVISOR, department=DepartmentFactory())


def pdf(name="report.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


# Loading ------------------------------------------------------------------------------------


def test_the_ledger_holds_the_plans_25_tasks_with_their_lead_units_and_deadlines(loaded):
    assert LedgerTask.objects.count() == 25
    first = task(1)
    assert first.lead_text == "县行政审批局"
    assert [d.code for d in first.lead_units.all()] == ["approval"]
    assert first.deadline == datetime.date(2022, 10, 31)
    assert [d.code for d in task(16).lead_units.all()] == ["housing"]
    assert task(16).deadline == datetime.date(2022, 10, 31)
    assert task(23).deadline == datetime.date(2022, 8, 31)
    assert sorted(d.code for d in task(17).lead_units.all()) == ["approval", "housing"]


def test_collective_unit_names_stay_in_the_text_only(loaded):
    first = task(1)
    assert first.responsible_text == "县级相关单位"
    assert not first.responsible_units.exists()
    codes = {d.code for d in task(13).responsible_units.all()}
    assert codes == {"public-security", "hrss", "market", "medical-security"}


def test_units_are_found_by_the_end_of_their_full_name(loaded):
    codes = {d.code for d in task(15).responsible_units.all()}
    assert "housing-fund" in codes and "disabled-persons" in codes
    assert "各镇(街)" in task(15).responsible_text


def test_loading_again_updates_and_never_duplicates(loaded):
    LedgerTask.objects.filter(number=3).update(title="改过的名称")
    counts = ledger.load_plan()
    assert counts == {"created": 0, "updated": 1, "unchanged": 24}
    assert LedgerTask.objects.count() == 25
    assert task(3).title == "政务服务事项全面实现“应进必进”"
    assert task(1).lead_units.count() == 1


def test_the_demo_loader_loads_once(units):
    assert not demo.is_loaded()
    assert "新增 25" in demo.load()
    assert demo.is_loaded()
    assert "未变 25" in demo.load()


def test_loading_keeps_the_reports_and_status(loaded, units):
    ledger.report_progress(task(16), by=admin_of(units["housing"]), content="已启动", progress=30)
    ledger.load_plan()
    assert task(16).status == Status.IN_PROGRESS and task(16).progress == 30


# Reporting ----------------------------------------------------------------------------------


def test_a_lead_unit_reports_progress_with_evidence(loaded, units):
    admin = admin_of(units["housing"])
    report = ledger.report_progress(
        task(16), by=admin, content="系统已上线测试", progress=60, files=[pdf()]
    )
    assert report.department == units["housing"]
    found = task(16)
    assert found.status == Status.IN_PROGRESS and found.progress == 60
    evidence = Evidence.objects.get(report=report)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.size == len(PDF) and evidence.name == "report.pdf"
    assert evidence.file.read() == PDF
    record = AuditRecord.objects.get(action="metrics.ledgertask.report")
    assert record.changes["evidence"][0]["sha256"] == evidence.sha256


def test_a_task_completes_when_every_lead_unit_has_completed(loaded, units):
    approval, housing = admin_of(units["approval"]), admin_of(units["housing"])
    ledger.report_progress(task(17), by=approval, content="完成", progress=90, completed=True)
    assert task(17).status == Status.IN_PROGRESS and task(17).progress == 50
    ledger.report_progress(task(17), by=housing, content="完成", progress=100, completed=True)
    assert task(17).status == Status.COMPLETED and task(17).progress == 100
    assert task(17).completed_at is not None


def test_a_responsible_unit_report_does_not_complete_the_task(loaded, units):
    admin = admin_of(units["public-security"])
    ledger.report_progress(
        task(13), by=admin, content="已完成本单位部分", progress=100, completed=True
    )
    assert task(13).status == Status.IN_PROGRESS
    assert task(13).progress == 0  # the lead unit has not reported


def test_a_completed_task_takes_no_more_reports(loaded, units):
    admin = admin_of(units["housing"])
    ledger.report_progress(task(16), by=admin, content="完成", progress=100, completed=True)
    with pytest.raises(Conflict):
        ledger.report_progress(task(16), by=admin, content="再报", progress=100)


def test_units_not_named_by_the_task_may_not_report(loaded, units):
    with pytest.raises(PermissionDenied):
        ledger.report_progress(task(16), by=admin_of(units["taxation"]), content="x", progress=1)
    clerk = staff_with_role(Role.CLERK, department=units["housing"])
    with pytest.raises(PermissionDenied):
        ledger.report_progress(task(16), by=clerk, content="x", progress=1)


@pytest.mark.parametrize(
    ("content", "progress", "files", "field"),
    [
        ("", 10, [], "content"),
        ("进展", 101, [], "progress"),
        ("进展", "abc", [], "progress"),
        ("进展", 10, [SimpleUploadedFile("run.exe", b"MZ")], "files"),
        ("进展", 10, [SimpleUploadedFile("empty.pdf", b"")], "files"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(
    loaded, units, content, progress, files, field
):
    with pytest.raises(InvalidInput) as raised:
        ledger.report_progress(
            task(16), by=admin_of(units["housing"]), content=content, progress=progress, files=files
        )
    assert field in raised.value.fields
    assert not task(16).reports.exists()


def test_evidence_over_the_size_limit_is_refused(loaded, units, settings):
    settings.METRICS_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(InvalidInput) as raised:
        ledger.report_progress(
            task(16), by=admin_of(units["housing"]), content="x", progress=1, files=[pdf()]
        )
    assert "文件超过" in raised.value.fields["files"][0]


def test_an_administrator_of_two_named_units_chooses_the_unit(loaded, units):
    admin = admin_of(units["approval"])
    StaffMembership.objects.create(user=admin, department=units["housing"], role=Role.DEPT_ADMIN)
    admin = type(admin).objects.get(pk=admin.pk)
    with pytest.raises(InvalidInput):
        ledger.report_progress(task(17), by=admin, content="x", progress=1)
    report = ledger.report_progress(
        task(17), by=admin, content="x", progress=1, department=units["housing"]
    )
    assert report.department == units["housing"]


# Reading and overdue ------------------------------------------------------------------------


def test_supervisors_see_every_task_and_unit_administrators_their_units(loaded, units):
    everything, _next = ledger.tasks(supervisor(), limit=100)
    assert len(everything) == 25
    mine, _next = ledger.tasks(admin_of(units["housing"]), limit=100)
    assert [t.number for t in mine] == [15, 16, 17, 20]
    with pytest.raises(NotFound):
        ledger.get(admin_of(units["housing"]), 1)
    assert ledger.tasks(staff_with_role(Role.CLERK), limit=100)[0] == []


def test_the_list_is_paginated_and_filtered(loaded, units):
    boss = supervisor()
    first, cursor = ledger.tasks(boss, limit=10)
    second, _cursor = ledger.tasks(boss, limit=10, cursor=cursor)
    assert [t.number for t in first + second] == list(range(1, 21))
    led, _next = ledger.tasks(boss, unit="housing", limit=100)
    assert [t.number for t in led] == [15, 16, 17, 20]
    with pytest.raises(InvalidInput):
        ledger.tasks(boss, status="lost")


def test_overdue_and_due_soon_are_read_against_the_clock(loaded, units):
    boss = supervisor()
    with at(2022, 9, 20):
        late, _next = ledger.tasks(boss, overdue=True, limit=100)
        assert [t.number for t in late] == [23]
        assert ledger.due(task(3)).due_soon and not ledger.due(task(3)).overdue
        assert not ledger.due(task(1)).due_soon
    with at(2022, 10, 1):
        late, _next = ledger.tasks(boss, overdue=True, limit=100)
        assert [t.number for t in late] == [3, 7, 20, 23]
        assert len(ledger.tasks(boss, overdue=False, limit=100)[0]) == 21


def test_a_completed_task_is_never_overdue(loaded, units):
    ledger.update_task(task(23), by=supervisor(), completed=True)
    with at(2022, 9, 5):
        assert not ledger.due(task(23)).overdue
        assert ledger.tasks(supervisor(), overdue=True)[0] == []


def test_overdue_alerts_reach_the_units_and_supervisors_once(loaded, units):
    housing, boss, other = (
        admin_of(units["housing"]),
        supervisor(),
        admin_of(units["taxation"]),
    )
    with at(2022, 11, 1):
        # Due by the end of October: tasks 1, 2, 3, 6, 7, 16, 18, 20, 21 and 23.
        assert ledger.alert_overdue() == 10
        assert ledger.alert_overdue() == 0
    to_housing = Message.objects.filter(recipient=housing, template_code=ledger.OVERDUE_TEMPLATE)
    assert to_housing.count() == 2  # 16 (lead) and 20 (responsible)
    assert "打造工程建设项目审批系统4.0版本" in " ".join(m.subject for m in to_housing)
    assert Message.objects.filter(recipient=boss).count() == 10
    assert not Message.objects.filter(recipient=other).exists()
    assert AuditRecord.objects.filter(action="metrics.ledgertask.overdue_alert").count() == 10


def test_a_new_deadline_alerts_again_when_it_passes(loaded, units):
    boss = supervisor()
    with at(2022, 9, 2):
        assert ledger.alert_overdue() == 1  # task 23
        ledger.update_task(task(23), by=boss, deadline=datetime.date(2022, 9, 10))
        assert ledger.alert_overdue() == 0
    with at(2022, 9, 11):
        assert ledger.alert_overdue() == 1


def test_the_sweep_task_runs_the_alerts(loaded, units):
    supervisor()
    with at(2022, 9, 2):
        result = ledger.overdue_sweep.enqueue()
    assert result.return_value == 1


# Keeping the ledger -------------------------------------------------------------------------


def test_the_keeper_adds_a_task_of_the_next_plan(loaded, units):
    boss = supervisor()
    added = ledger.add_task(
        by=boss,
        plan="2023年攻坚方案",
        number=1,
        title="新任务",
        content="新任务。内容",
        deadline=datetime.date(2023, 6, 30),
        lead_units=[units["water"]],
    )
    assert added.lead_text == "水务局"
    assert LedgerTask.objects.filter(number=1).count() == 2
    assert ledger.current_plan() == "2023年攻坚方案"
    assert [t.pk for t in ledger.tasks(boss)[0]] == [added.pk]
    assert len(ledger.tasks(boss, plan=ledger.plans.SEED_PLAN, limit=100)[0]) == 25
    assert AuditRecord.objects.filter(action="metrics.ledgertask.add").exists()
    with pytest.raises(Conflict):
        ledger.add_task(
            by=boss,
            plan="2023年攻坚方案",
            number=1,
            title="重复",
            content="",
            deadline=datetime.date(2023, 6, 30),
            lead_units=[units["water"]],
        )


def test_the_keeper_changes_units_and_marks_a_task_completed(loaded, units):
    boss = supervisor()
    ledger.update_task(task(9), by=boss, responsible_units=[units["finance"]])
    assert [d.code for d in task(9).responsible_units.all()] == ["finance"]
    ledger.update_task(task(9), by=boss, completed=True, note="专班确认")
    assert task(9).status == Status.COMPLETED
    record = AuditRecord.objects.filter(action="metrics.ledgertask.change").last()
    assert record.note == "专班确认" and record.changes["status"] == ["not_started", "completed"]
    ledger.update_task(task(9), by=boss, completed=False)
    assert task(9).status == Status.NOT_STARTED


def test_only_the_keeper_changes_the_ledger(loaded, units):
    with pytest.raises(PermissionDenied):
        ledger.update_task(task(1), by=admin_of(units["approval"]), completed=True)
    with pytest.raises(PermissionDenied):
        ledger.add_task(
            by=admin_of(units["approval"]),
            plan="x",
            number=1,
            title="x",
            content="x",
            deadline=datetime.date(2023, 1, 1),
        )
    with pytest.raises(InvalidInput):
        ledger.update_task(task(1), by=supervisor(), status="completed")


def test_the_load_command_loads_the_plan_and_a_file_of_another_plan(units, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_ledger", stdout=out)
    assert "created 25" in out.getvalue()
    next_plan = tmp_path / "plan.txt"
    next_plan.write_text(
        "三、工作任务及分工\n(一)类别\n1.新任务。内容(牵头单位:县水务局;完成时限:2023年3月底)\n",
        encoding="utf-8",
    )
    call_command("load_ledger", file=str(next_plan), plan="2023方案", stdout=out)
    added = LedgerTask.objects.get(plan="2023方案")
    assert added.deadline == datetime.date(2023, 3, 31)
    assert [d.code for d in added.lead_units.all()] == ["water"]
