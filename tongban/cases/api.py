"""The public working-day calendar: ``GET /api/v1/calendar/due-date``.

Anonymous. The same code the cases use (``workdays.due``). A due date reached through a
year whose holiday schedule is neither in chinese-calendar nor entered by an administrator
comes back flagged: ``provisional: true`` and the years in ``unknown_years`` (counted Monday
to Friday there), never silently.
"""

import datetime

from ninja import Field, Query, Router, Schema

from tongban.cases import workdays

router = Router(tags=["calendar"])


class DueDateIn(Schema):
    start: datetime.date = Field(description="受理日期 YYYY-MM-DD(当天不计入)")
    working_days: int = Field(ge=0, le=workdays.MAX_WORKING_DAYS, description="工作日数")


class DueDateOut(Schema):
    due: datetime.date
    provisional: bool = Field(description="是否跨入节假日安排未知的年份(仅按周末推算)")
    unknown_years: list[int]


@router.get("/due-date", response=DueDateOut, auth=None, summary="按工作日计算办结日期")
def due_date(request, query: Query[DueDateIn]):
    found = workdays.due(query.start, query.working_days)
    return {
        "due": found.date,
        "provisional": found.provisional,
        "unknown_years": list(found.unknown_years),
    }
