"""ledger_api, mounted by ``metrics.api`` at /api/v1/metrics: the reform task ledger.

Signed-in staff (``UserAuth``: a TOTP-verified session or a platform bearer token) who may
read the ledger (``ledger_rules``): supervisors every task, department administrators their
units' tasks. A task outside the caller's reach is a 404.
"""

import datetime

from ninja import Field, Query, Router, Schema

from tongban.identity import access
from tongban.identity.apiauth import UserAuth
from tongban.metrics import ledger
from tongban.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = Router(tags=["metrics"], auth=UserAuth())
STATUSES = "not_started 未开始,in_progress 推进中,completed 已完成"


class LedgerQuery(Schema):
    plan: str | None = Field(None, max_length=200, description="所属方案(默认最新方案)")
    status: str | None = Field(
        None, description="not_started 未开始,in_progress 推进中,completed 已完成"
    )
    unit: str | None = Field(None, max_length=32, description="单位(部门代码),牵头或责任")
    overdue: bool | None = Field(None, description="true 仅已逾期,false 仅未逾期")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class UnitOut(Schema):
    code: str
    name: str
    short_name: str


class TaskSummary(Schema):
    plan: str = Field(description="所属方案")
    number: int = Field(description="任务序号")
    section: str = Field(description="任务类别")
    title: str = Field(description="任务名称")
    lead_text: str = Field(description="牵头单位(原文)")
    responsible_text: str = Field(description="责任单位(原文)")
    lead_units: list[UnitOut]
    responsible_units: list[UnitOut]
    deadline: datetime.date = Field(description="完成时限")
    status: str = Field(description=STATUSES)
    progress: int = Field(description="完成进度(%)")
    overdue: bool = Field(description="已逾期:过了完成时限且未完成")
    due_soon: bool = Field(description="临期:METRICS_LEDGER_WARN_DAYS 天内到期且未完成")
    completed_at: datetime.datetime | None


class TaskPage(Schema):
    results: list[TaskSummary]
    next_cursor: str | None


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    sha256: str


class ReportOut(Schema):
    department: UnitOut
    content: str
    progress: int
    completed: bool
    created_at: datetime.datetime
    evidence: list[EvidenceOut]


class TaskOut(TaskSummary):
    content: str = Field(description="任务内容")
    reports: list[ReportOut] = Field(description="进展报送,最新在前")


@router.get("/ledger", response=TaskPage, summary="工作任务台账")
def list_tasks(request, query: Query[LedgerQuery]):
    access.require(request.auth, ledger.VIEW)
    rows, next_cursor = ledger.tasks(
        request.auth,
        plan=query.plan,
        status=query.status,
        unit=query.unit,
        overdue=query.overdue,
        cursor=query.cursor,
        limit=query.limit,
    )
    today = ledger.clock.today()
    return {"results": [_summary(task, today) for task in rows], "next_cursor": next_cursor}


@router.get("/ledger/{number}", response=TaskOut, summary="工作任务详情(进展报送与佐证材料)")
def get_task(request, number: str, plan: str | None = None):
    task = ledger.get(request.auth, number, plan=plan)
    return {
        **_summary(task, ledger.clock.today()),
        "content": task.content,
        "reports": [
            {
                "department": report.department,
                "content": report.content,
                "progress": report.progress,
                "completed": report.completed,
                "created_at": report.created_at,
                "evidence": list(report.evidence.all()),
            }
            for report in task.reports.all()
        ],
    }


def _summary(task, today) -> dict:
    due = ledger.due(task, today)
    return {
        "plan": task.plan,
        "number": task.number,
        "section": task.section,
        "title": task.title,
        "lead_text": task.lead_text,
        "responsible_text": task.responsible_text,
        "lead_units": list(task.lead_units.all()),
        "responsible_units": list(task.responsible_units.all()),
        "deadline": task.deadline,
        "status": task.status,
        "progress": task.progress,
        "overdue": due.overdue,
        "due_soon": due.due_soon,
        "completed_at": task.completed_at,
    }
