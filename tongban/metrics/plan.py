"""Reading an action plan's task list (工作任务及分工) from its published text.

Each task is a numbered paragraph under a section heading ``(一)…``::

    1.统一政务服务事项管理标准。内容…(牵头单位:县行政审批局;责任单位:县级相关单位;完成时限:2022年10月底)

``parse`` gives one ``PlannedTask`` per paragraph: the number, the title (up to the first 。),
the content, the section, the lead and responsible units as written, and the deadline (the
last day of the month named). ``unit_names`` splits a units text into single names;
``unit_key`` is the name a department's short name is compared with (县 dropped).
"""

import calendar
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "zhouzhi-action-plan-2022.txt"
SEED_PLAN = "周至县全面提升一体化政务服务能力攻坚方案(2022)"

TASKS_HEADING = "工作任务及分工"
SECTION = re.compile(r"^[((]([一二三四五六七八九十]+)[))](.+)$")
TASK = re.compile(r"^(\d{1,3})[.．、](.+)$")
# The closing parenthesis holding who leads, who takes part and by when.
DUTIES = re.compile(r"[((]\s*(牵头单位\s*[::].*?)[))]\s*$")
DEADLINE = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(底|末|(\d{1,2})\s*日)?")
UNIT_SEPARATORS = re.compile(r"[、,,;;]|及|和(?=县)|等(?=县|$)")
# Words that name no single unit ("县级相关单位", "各镇(街)").
COLLECTIVE = ("相关", "各镇", "各部门", "各单位", "有自建系统")


@dataclass(frozen=True)
class PlannedTask:
    number: int
    title: str
    content: str
    section: str
    lead_text: str
    responsible_text: str
    deadline: datetime.date
    lead_names: list[str] = field(default_factory=list)
    responsible_names: list[str] = field(default_factory=list)


class PlanError(ValueError):
    """The text is not a task list this parser understands (the line is named)."""


def read_seed() -> str:
    return SEED.read_text(encoding="utf-8")


def parse(text: str, *, year: int | None = None) -> list[PlannedTask]:
    """The numbered tasks of the plan's task section, in order; a deadline without a year
    ("9月底") takes ``year``, else the first year the text names."""
    if year is None:
        named = re.search(r"(20\d\d)\s*年", text)
        year = int(named.group(1)) if named else None
    lines = [line.strip() for line in text.splitlines()]
    try:
        start = next(i for i, line in enumerate(lines) if TASKS_HEADING in line)
    except StopIteration as exc:
        raise PlanError(f"没有“{TASKS_HEADING}”一节") from exc
    section, found = "", []
    for line in lines[start + 1 :]:
        if re.match(r"^[一二三四五六七八九十]+、", line):
            break  # the next chapter (保障措施)
        heading = SECTION.match(line)
        if heading:
            section = heading.group(2).strip()
            continue
        task = TASK.match(line)
        if task:
            found.append(_task(int(task.group(1)), task.group(2), section, year))
    numbers = [task.number for task in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise PlanError(f"任务序号不连续:{numbers}")
    return found


def _task(number: int, body: str, section: str, year: int | None) -> PlannedTask:
    duties = DUTIES.search(body)
    if duties is None:
        raise PlanError(f"第{number}项任务没有牵头单位和完成时限")
    content = _squeeze(body[: duties.start()])
    parts = {}
    for part in re.split(r"[;;]", duties.group(1)):
        label, _sep, value = re.sub(r"\s+", "", part).partition(":")
        if not _sep:
            label, _sep, value = re.sub(r"\s+", "", part).partition(":")
        parts[label] = value
    lead = parts.get("牵头单位", "")
    responsible = parts.get("责任单位", "")
    if not lead or "完成时限" not in parts:
        raise PlanError(f"第{number}项任务没有牵头单位和完成时限")
    title = content.split("。", 1)[0]
    return PlannedTask(
        number=number,
        title=title,
        content=content,
        section=section,
        lead_text=lead,
        responsible_text=responsible,
        deadline=parse_deadline(parts["完成时限"], year=year),
        lead_names=unit_names(lead),
        responsible_names=unit_names(responsible),
    )


def parse_deadline(text: str, *, year: int | None = None) -> datetime.date:
    """ "2022年10月底" → 2022-10-31; "9月底" takes ``year``; "2022年8月15日" → that day."""
    match = DEADLINE.search(text.replace(" ", ""))
    if match is None or not (match.group(1) or year):
        raise PlanError(f"无法识别的完成时限:{text}")
    found_year, month = int(match.group(1) or year), int(match.group(2))
    if not 1 <= month <= 12:
        raise PlanError(f"无法识别的完成时限:{text}")
    if match.group(4):
        return datetime.date(found_year, month, int(match.group(4)))
    return datetime.date(found_year, month, calendar.monthrange(found_year, month)[1])


def unit_names(text: str) -> list[str]:
    """The single units a units text names, in order ("县公安局、县人社局等县级相关单位" →
    ["县公安局", "县人社局", "县级相关单位"])."""
    names = [name.strip() for name in UNIT_SEPARATORS.split(text or "")]
    return [name for name in names if name]


def unit_key(name: str) -> str:
    """The name compared with a department's short name: "县住建局" → "住建局"."""
    name = re.sub(r"\s+", "", name)
    return name[1:] if name.startswith("县") and not name.startswith("县级") else name


def is_collective(name: str) -> bool:
    return any(word in name for word in COLLECTIVE)


def _squeeze(text: str) -> str:
    # The published text breaks words with stray spaces ("政 务服务"); Chinese needs none.
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text)
    return re.sub(r"\s+", " ", text).strip()
