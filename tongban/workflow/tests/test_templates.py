"""Every shipped template end to end, with its deny branches."""

import datetime

import pytest

from tongban.core import clock
from tongban.workflow import services, signals
from tongban.workflow.models import ProcessInstance, Task
from tongban.workflow.tests.factories import Role, do, office

pytestmark = pytest.mark.django_db
COMPLETED = ProcessInstance.Status.COMPLETED


def names(instance) -> list[str]:
    return [task.name for task in services.ready_tasks(instance)]


def test_instant_clerk_decides_at_the_window():
    window = office()
    instance = services.start(
        services.template("instant"), subject="cases.Case:1", departments=window.department
    )
    (task,) = services.ready_tasks(instance)
    assert (task.role, task.department, task.title) == (
        Role.CLERK,
        window.department,
        "受理并当场办结",
    )
    instance = do(instance, "Activity_decide", [window], decision="approve")
    assert (instance.status, instance.end_event) == (COMPLETED, "EndEvent_approved")


def test_instant_deny_ends_in_the_deny_end_event():
    window = office()
    instance = services.start(
        services.template("instant"), subject="cases.Case:2", departments=window.department
    )
    instance = do(instance, "Activity_decide", [window], decision="deny", reason="材料不符")
    assert instance.end_event == "EndEvent_denied"
    assert Task.objects.get(instance=instance).data == {"decision": "deny", "reason": "材料不符"}


def start_standard(window, bureau, subject="cases.Case:3"):
    departments = {"clerk": window.department, "approver": bureau.department}
    return services.start(services.template("standard"), subject=subject, departments=departments)


def test_standard_accept_review_decide_conclude():
    window, bureau = office(), office()
    instance = start_standard(window, bureau)
    assert names(instance) == ["Activity_accept"]
    instance = do(instance, "Activity_accept", [window], decision="accept")
    (review,) = services.ready_tasks(instance)
    assert (review.name, review.role, review.department) == (
        "Activity_review",
        Role.APPROVER,
        bureau.department,
    )
    instance = do(instance, "Activity_review", [bureau], decision="approve")
    instance = do(instance, "Activity_decide", [bureau], decision="approve")
    assert names(instance) == ["Activity_conclude"]
    instance = do(instance, "Activity_conclude", [window])
    assert (instance.status, instance.end_event) == (COMPLETED, "EndEvent_concluded")
    assert instance.tasks.filter(status=Task.Status.COMPLETED).count() == 4


def test_standard_refused_at_intake_and_denied_at_decision():
    window, bureau = office(), office()
    refused = do(start_standard(window, bureau), "Activity_accept", [window], decision="refuse")
    assert refused.end_event == "EndEvent_refused"

    instance = do(
        start_standard(window, bureau, "cases.Case:4"),
        "Activity_accept",
        [window],
        decision="accept",
    )
    instance = do(instance, "Activity_review", [bureau], decision="deny", opinion="不符合条件")
    instance = do(instance, "Activity_decide", [bureau], decision="deny")
    assert (instance.status, instance.end_event) == (COMPLETED, "EndEvent_denied")


def start_parallel(window, lead, reviewers, subject="cases.Case:5"):
    return services.start(
        services.template("parallel"),
        subject=subject,
        departments={"clerk": window.department, "approver": lead.department},
        data={"review_departments": [r.department.code for r in reviewers]},
    )


def test_parallel_two_departments_review_at_once_then_join():
    window, lead, hr, market = office(), office(), office(), office()
    instance = start_parallel(window, lead, [hr, market])
    instance = do(instance, "Activity_accept", [window], decision="accept")
    reviews = services.ready_tasks(instance)
    assert sorted(t.department_id for t in reviews) == sorted(
        [hr.department.pk, market.department.pk]
    )
    assert {t.role for t in reviews} == {Role.APPROVER}

    instance = do(instance, "Activity_review", [hr], decision="approve")
    assert names(instance) == ["Activity_review"], "the join waits for the second department"
    instance = do(instance, "Activity_review", [market], decision="approve", opinion="同意")

    (decide,) = services.ready_tasks(instance)
    assert (decide.name, decide.department) == ("Activity_decide", lead.department)
    from tongban.workflow import engine

    workflow = engine.load(instance.definition, instance.state)
    (spiff_decide,) = [t for t in workflow.get_tasks() if t.id == decide.spiff_id]
    assert spiff_decide.data["reviews"] == {
        hr.department.code: {"decision": "approve"},
        market.department.code: {"decision": "approve", "opinion": "同意"},
    }
    instance = do(instance, "Activity_decide", [lead], decision="approve")
    instance = do(instance, "Activity_conclude", [window])
    assert (instance.status, instance.end_event) == (COMPLETED, "EndEvent_concluded")


def test_parallel_deny_after_a_negative_review():
    window, lead, hr, market = office(), office(), office(), office()
    instance = start_parallel(window, lead, [hr, market])
    instance = do(instance, "Activity_accept", [window], decision="accept")
    instance = do(instance, "Activity_review", [hr], decision="deny", opinion="消防不合格")
    instance = do(instance, "Activity_review", [market], decision="approve")
    instance = do(instance, "Activity_decide", [lead], decision="deny")
    assert instance.end_event == "EndEvent_denied"


def start_commitment(window, bureau, subject="cases.Case:6"):
    return services.start(
        services.template("commitment"),
        subject=subject,
        departments={"clerk": window.department, "approver": bureau.department},
        data={"commitment_signed": True},
    )


def test_commitment_approves_then_checks_with_its_own_due_moment():
    window, bureau = office(), office()
    instance = do(start_commitment(window, bureau), "Activity_accept", [window], decision="accept")
    instance = do(instance, "Activity_decide", [bureau], decision="approve")
    instance = do(instance, "Activity_conclude", [window])
    assert instance.status == ProcessInstance.Status.RUNNING
    (check,) = services.ready_tasks(instance)
    assert (check.name, check.title, check.department) == (
        "Activity_check",
        "核查",
        bureau.department,
    )
    expected = clock.now() + datetime.timedelta(days=60)
    assert abs(check.due_at - expected) < datetime.timedelta(minutes=1)
    instance = do(instance, "Activity_check", [bureau], decision="pass")
    assert (instance.status, instance.end_event) == (COMPLETED, "EndEvent_passed")


def test_commitment_failed_check_revokes_and_denial_skips_the_check():
    window, bureau = office(), office()
    instance = do(start_commitment(window, bureau), "Activity_accept", [window], decision="accept")
    instance = do(instance, "Activity_decide", [bureau], decision="approve")
    instance = do(instance, "Activity_conclude", [window])
    instance = do(instance, "Activity_check", [bureau], decision="fail", finding="承诺不实")
    assert instance.end_event == "EndEvent_revoked"

    other = start_commitment(window, bureau, "cases.Case:7")
    other = do(other, "Activity_accept", [window], decision="accept")
    other = do(other, "Activity_decide", [bureau], decision="deny")
    assert other.end_event == "EndEvent_denied"
    assert not other.tasks.filter(name="Activity_check").exists()


def test_signals_tell_of_ready_tasks_and_the_end():
    window = office()
    ready, ended = [], []

    def on_ready(sender, task, **kwargs):
        ready.append(task.name)

    def on_end(sender, instance, end, **kwargs):
        ended.append((instance.subject, end))

    signals.task_ready.connect(on_ready)
    signals.instance_completed.connect(on_end)
    try:
        instance = services.start(
            services.template("instant"), subject="cases.Case:8", departments=window.department
        )
        do(instance, "Activity_decide", [window], decision="approve")
    finally:
        signals.task_ready.disconnect(on_ready)
        signals.instance_completed.disconnect(on_end)
    assert ready == ["Activity_decide"]
    assert ended == [("cases.Case:8", "EndEvent_approved")]


def test_templates_are_stored_once_and_reloaded_only_when_changed():
    first = services.load_processes()
    again = services.load_processes()
    assert [d.pk for d in first] == [d.pk for d in again]
    assert {d.key for d in first} == {
        "instant",
        "standard",
        "parallel",
        "commitment",
        "instant_fee",
        "standard_fee",
    }
    assert all(d.is_template and d.version == 1 for d in first)
