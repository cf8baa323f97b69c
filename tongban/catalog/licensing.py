"""The administrative licensing list (行政许可事项清单): published, as a page and as Excel.

The list holds every item in use whose base-catalog type is 01 行政许可 and which has a
version in force; both outputs read the same rows and the same columns.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tongban.catalog.models import ItemType, ServiceItem
from tongban.core import clock

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def published_licensing_items() -> list[ServiceItem]:
    """The licensing items in force, by department then implementation code (one query)."""
    return list(
        ServiceItem.objects.filter(
            is_active=True,
            current_guide__isnull=False,
            base_item__item_type=ItemType.LICENSING,
        )
        .select_related("department", "base_item", "current_guide")
        .order_by("department__sort_order", "department_id", "implementation_code")
    )


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[ServiceItem], object]
    width: int = 14


def _days(days) -> str:
    if days is None:
        return "—"
    return _("即办") if days == 0 else _("%(n)s 个工作日") % {"n": days}


COLUMNS = (
    Column("实施部门", lambda i: i.department.name, 24),
    Column("事项名称", lambda i: i.current_guide.name, 30),
    Column("基本编码", lambda i: i.base_item.base_code, 20),
    Column("实施编码", lambda i: i.implementation_code, 28),
    Column("行使层级", lambda i: i.base_item.get_level_display(), 10),
    Column("设定依据", lambda i: i.base_item.legal_basis, 40),
    Column("实施依据", lambda i: i.current_guide.legal_basis, 40),
    Column("法定办结时限", lambda i: _days(i.current_guide.statutory_days)),
    Column("承诺办结时限", lambda i: _days(i.current_guide.promised_days)),
    Column("到办事现场次数", lambda i: i.current_guide.max_visits, 10),
    Column("网办深度", lambda i: i.current_guide.get_online_depth_display(), 20),
    Column("是否收费", lambda i: _("是") if i.current_guide.charges_fee else _("否"), 8),
    Column("办理结果", lambda i: i.current_guide.result_name, 24),
    Column("现行版本生效日期", lambda i: i.current_guide.effective_from, 14),
)


def rows(items: list[ServiceItem]) -> list[list]:
    return [[n, *(c.value(item) for c in COLUMNS)] for n, item in enumerate(items, 1)]


def licensing_workbook(items: list[ServiceItem]) -> bytes:
    """The list as an .xlsx file: a title row, the header, one row per item."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("行政许可事项清单")
    headers = [_("序号"), *(_(c.header) for c in COLUMNS)]
    sheet.append([_("周至县行政许可事项清单(%(day)s)") % {"day": clock.today().isoformat()}])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows(items):
        sheet.append(row)
    for index, column in enumerate(COLUMNS, 2):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.column_dimensions["A"].width = 6
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "C3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def licensing_list_page(request):
    """GET /licensing-list: the list as a page, with a link to the Excel file."""
    items = published_licensing_items()
    headers = [_("序号"), *(_(c.header) for c in COLUMNS)]
    table = [
        {"item": item, "cells": [(h, _shown(v)) for h, v in zip(headers, row, strict=True)]}
        for item, row in zip(items, rows(items), strict=True)
    ]
    return render(
        request,
        "catalog/licensing_list.html",
        {"headers": headers, "rows": table, "count": len(items), "today": clock.today()},
    )


def _shown(value):
    return "—" if value in (None, "") else value


def licensing_list_xlsx(request):
    """GET /licensing-list.xlsx: the same list as an Excel download."""
    response = HttpResponse(licensing_workbook(published_licensing_items()), content_type=XLSX_TYPE)
    filename = f"licensing-list-{clock.today().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
