"""Reading the 2022 action plan's task list from its published text."""

import datetime

import pytest

from tongban.metrics import plan

TASKS = {task.number: task for task in plan.parse(plan.read_seed(), year=2022)}


def test_the_plan_has_25_tasks_in_four_sections():
    assert sorted(TASKS) == list(range(1, 26))
    assert len({task.section for task in TASKS.values()}) == 4
    assert TASKS[1].section == "着力提升政务服务事项标准化水平"
    assert TASKS[23].section == "着力提升四级政务体系服务能力"


def test_task_1_is_led_by_the_approval_bureau_by_the_end_of_october():
    task = TASKS[1]
    assert task.title == "统一政务服务事项管理标准"
    assert task.lead_names == ["县行政审批局"]
    assert task.responsible_text == "县级相关单位"
    assert task.deadline == datetime.date(2022, 10, 31)
    assert task.content.startswith("统一政务服务事项管理标准。按照")
    assert "牵头单位" not in task.content


def test_task_16_is_led_by_the_housing_bureau():
    task = TASKS[16]
    assert task.lead_names == ["县住建局"]
    assert task.deadline == datetime.date(2022, 10, 31)
    assert task.responsible_names[0] == "县发改委" and "县气象局" in task.responsible_names
    # "依托市一体化政 务服务平台": the stray space inside a word is gone.
    assert "市一体化政务服务平台" in task.content


def test_task_17_has_two_lead_units():
    assert TASKS[17].lead_names == ["县行政审批局", "县住建局"]
    assert TASKS[17].deadline == datetime.date(2022, 11, 30)


def test_task_23_is_due_at_the_end_of_august():
    assert TASKS[23].deadline == datetime.date(2022, 8, 31)


def test_tasks_without_responsible_units_keep_an_empty_text():
    assert TASKS[9].responsible_text == "" and TASKS[9].responsible_names == []
    assert TASKS[10].responsible_text == ""


def test_a_deadline_after_a_stray_space_is_read():
    # Task 19 is written "完成时限: 2022年12月底".
    assert TASKS[19].deadline == datetime.date(2022, 12, 31)


def test_units_ending_with_etc_are_split_from_the_collective_words():
    assert TASKS[13].responsible_names == [
        "县公安局",
        "县人社局",
        "县市场监管局",
        "县医疗保障局",
        "县级相关单位",
    ]
    assert TASKS[21].responsible_names[-1] == "县级相关部门"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022年10月底", datetime.date(2022, 10, 31)),
        ("9月底", datetime.date(2022, 9, 30)),
        (" 2022年2月底", datetime.date(2022, 2, 28)),
        ("2024年2月底", datetime.date(2024, 2, 29)),
        ("2023年6月15日", datetime.date(2023, 6, 15)),
    ],
)
def test_deadlines(text, expected):
    assert plan.parse_deadline(text, year=2022) == expected


def test_a_deadline_without_a_month_is_refused():
    with pytest.raises(plan.PlanError):
        plan.parse_deadline("尽快", year=2022)


def test_unit_keys_drop_the_county_prefix_only():
    assert plan.unit_key("县住建局") == "住建局"
    assert plan.unit_key("县级相关单位") == "县级相关单位"
    assert plan.is_collective("各镇(街)") and plan.is_collective("县级相关部门")
    assert not plan.is_collective("县公安局")


def test_a_task_without_a_deadline_is_refused():
    text = "三、工作任务及分工\n(一)类别\n1.任务。内容(牵头单位:县公安局)\n四、保障措施\n"
    with pytest.raises(plan.PlanError, match="第1项"):
        plan.parse(text, year=2022)


def test_numbers_must_run_without_gaps():
    line = "{n}.任务。内容(牵头单位:县公安局;完成时限:2022年9月底)"
    text = "三、工作任务及分工\n" + "\n".join(line.format(n=n) for n in (1, 3))
    with pytest.raises(plan.PlanError, match="不连续"):
        plan.parse(text, year=2022)


def test_a_deadline_without_a_year_takes_the_year_the_text_names():
    text = "2023年工作方案\n三、工作任务及分工\n1.任务。内容(牵头单位:县公安局;完成时限:9月底)\n"
    assert plan.parse(text)[0].deadline == datetime.date(2023, 9, 30)
