"""效能监察: a running case turns yellow at 80% of its promised days and red when overdue, once
per colour, with notices to the department's approvers and head; suspensions stop the clock."""

import datetime

import pytest
from django.core.management import call_command

from tongban.audit.models import AuditRecord
from tongban.cases import services, supervision, tasks
from tongban.cases.models import Case, WarningLevel
from tongban.cases.tests.factories import (
    applicant_person,
    approver_of,
    clerk_of,
    file_case,
    form_item,
)
from tongban.notify.models import Message
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

D = datetime.date
pytestmark = pytest.mark.django_db
TEMPLATE = supervision.TEMPLATE


@pytest.fixture
def item():
    return form_item()


@pytest.fixture
def people(item):
    return {
        "approver": approver_of(item),
        "head": _with_phone(
            staff_with_role(StaffMembership.Role.DEPT_ADMIN, department=item.department)
        ),
        "elsewhere": staff_with_role(StaffMembership.Role.APPROVER, department=DepartmentFactory()),
    }


def _with_phone(user):
    user.phone = "13800000001"
    user.save()
    return user


@pytest.fixture
def accepted(travel, item):
    travel(2026, 9, 30)
    return services.accept(file_case(item, applicant_person()), by=clerk_of(item))


def warnings_to(user):
    return Message.objects.filter(recipient=user, template_code=TEMPLATE)


def colours_over(travel, case, days):
    """Sweep on each day; the colour the case has after each sweep."""
    seen = []
    for day in days:
        travel(day.year, day.month, day.day)
        supervision.sweep()
        case.refresh_from_db()
        seen.append(case.warning)
    return seen


def test_a_case_goes_yellow_then_red_and_each_colour_is_announced_once(travel, accepted, people):
    days = [D(2026, 10, 1) + datetime.timedelta(days=n) for n in range(30)]
    seen = colours_over(travel, accepted, days)

    changes = [colour for i, colour in enumerate(seen) if i == 0 or colour != seen[i - 1]]
    assert changes == [WarningLevel.NONE, WarningLevel.YELLOW, WarningLevel.RED]
    first_yellow = days[seen.index(WarningLevel.YELLOW)]
    first_red = days[seen.index(WarningLevel.RED)]
    yellow_clock = services.clock_of(accepted, first_yellow)
    assert yellow_clock.used == 8 and yellow_clock.limit_days == 10  # 80% of 10 days
    assert first_red > accepted.promised_due == D(2026, 10, 20)
    # One in-app notice per colour to the approver; the head (with a phone) also by SMS.
    assert warnings_to(people["approver"]).count() == 2
    assert warnings_to(people["head"]).filter(channel="sms").count() == 2
    assert not warnings_to(people["elsewhere"]).exists()
    body = warnings_to(people["approver"]).order_by("pk").last().body
    assert accepted.number in body and "红牌" in body
    assert (
        AuditRecord.objects.filter(action="cases.case.warn", object_id=str(accepted.pk)).count()
        == 2
    )


def test_suspended_days_do_not_count(travel, accepted, item, people):
    travel(2026, 10, 9)
    services.suspend(accepted, by=people["approver"], kind="expert_review", reason="专家评审")
    travel(2026, 10, 30)
    supervision.sweep()
    accepted.refresh_from_db()
    assert accepted.warning == WarningLevel.NONE
    services.resume(accepted, by=people["approver"])
    supervision.sweep()
    accepted.refresh_from_db()
    assert services.clock_of(accepted).used < 8
    assert accepted.warning == WarningLevel.NONE


def test_an_extension_lowers_the_colour_quietly_and_it_can_rise_again(travel, accepted, people):
    travel(2026, 10, 22)
    supervision.sweep()
    accepted.refresh_from_db()
    assert accepted.warning == WarningLevel.RED
    services.extend(accepted, by=people["approver"], days=20, reason="需现场核查")
    supervision.sweep()
    accepted.refresh_from_db()
    assert accepted.warning == WarningLevel.NONE
    assert warnings_to(people["approver"]).count() == 1
    travel(2026, 11, 30)
    supervision.sweep()
    accepted.refresh_from_db()
    assert accepted.warning == WarningLevel.RED
    assert warnings_to(people["approver"]).count() == 2


def test_concluded_and_unaccepted_cases_are_left_alone(travel, item, accepted, people):
    pending = file_case(item, applicant_person())
    services.approve(accepted, by=people["approver"])
    services.conclude(accepted, by=people["approver"])
    travel(2026, 12, 31)
    assert supervision.sweep() == {"yellow": 0, "red": 0}
    assert set(Case.objects.values_list("warning", flat=True)) == {""}
    assert pending.pk


def test_figures_and_the_warned_list(travel, item, accepted, people):
    other = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    travel(2026, 10, 15)
    supervision.sweep()
    travel(2026, 10, 27)
    late = services.accept(file_case(item, applicant_person()), by=clerk_of(item))
    supervision.sweep()
    [row] = supervision.figures()
    assert (row.running, row.yellow, row.red) == (3, 0, 2)
    assert list(supervision.warned_cases()) == [accepted, other]
    assert supervision.days_over(accepted) == 5
    assert late.warning == WarningLevel.NONE


def test_the_command_sweeps_once(travel, accepted, capsys):
    travel(2026, 10, 22)
    call_command("cases_supervise")
    assert "红牌 1 件" in capsys.readouterr().out
    accepted.refresh_from_db()
    assert accepted.warning == WarningLevel.RED


def test_the_task_sweeps_and_requeues_itself_where_the_backend_can_defer(
    travel, accepted, settings
):
    travel(2026, 10, 22)
    result = tasks.supervise.enqueue()  # the test backend runs it at once
    assert result.return_value == {"yellow": 0, "red": 1}
    assert tasks.schedule_next() is False  # immediate backend: cron is the fallback
    # The database backend defers: the sweep waits for the worker (django-tasks resets its
    # backends when the setting changes).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    assert tasks.ensure_scheduled() is True
    assert tasks.ensure_scheduled() is False  # one waiting run is enough
    waiting = DBTaskResult.objects.get(task_path="tongban.cases.tasks.supervise")
    assert waiting.run_after is not None


def test_a_starting_worker_queues_the_sweep(db, settings):
    from django_tasks_db.models import DBTaskResult

    from tongban.core.management.commands.worker import Command
    from tongban.core.signals import worker_started

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    worker_started.send(sender=Command)
    worker_started.send(sender=Command)  # a second worker finds it waiting
    assert DBTaskResult.objects.filter(task_path="tongban.cases.tasks.supervise").count() == 1
