"""The leaders' self-evaluation dashboard (自评估看板): cards of every indicator against its
target, a bar chart and a trend line (ECharts served by the platform), tables per department
and per town, the drill-down of each figure, the Excel exports and the PDF report."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from tongban.core import clock
from tongban.errors import NotFound
from tongban.identity.decorators import staff_page
from tongban.metrics import indicator_report, indicators, snapshots

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 50
EXPORT_LIMIT = 50_000
# The columns of the department and town tables (the §4 indicators and the main case figures).
TABLE_KEYS = (
    "online_full",
    "time_compression",
    "one_visit",
    "instant",
    "one_window",
    "online_application",
    "on_time",
    "handling_days",
)


def _refused(request):
    return render(request, "metrics/dashboard/refused.html", status=403)


dashboard_page = staff_page("metrics.view_dashboard", refused=_refused, not_found_404=True)


def _scope(request) -> indicators.Scope:
    return indicators.scope_of(
        department=request.GET.get("department", "")[:50], town=request.GET.get("town", "")[:12]
    )


def _chart_data(figures) -> dict:
    percent = [f for f in figures if f.unit == indicators.PERCENT and f.kind == "item"]
    trend = snapshots.trends([f.key for f in percent])
    return {
        "names": [f.name for f in percent],
        "values": [None if f.value is None else round(f.value * 100, 1) for f in percent],
        "targets": [None if f.target is None else round(f.target * 100, 1) for f in percent],
        "trend": {
            "dates": trend["dates"],
            "series": [
                {
                    "name": f.name,
                    "values": [
                        None if v is None else round(v * 100, 1) for v in trend["series"][f.key]
                    ],
                }
                for f in percent
            ],
        },
    }


def _table(scopes) -> tuple[list[str], list[list]]:
    """Rows of (scope label, each TABLE_KEYS value as shown) for the scopes."""
    header = [_("范围")] + [indicators.DEFINITIONS[k].name for k in TABLE_KEYS]
    rows = []
    for scope in scopes:
        found = {f.key: f for f in indicators.compute(scope)}
        rows.append(
            {
                "scope": scope,
                "cells": [(found[k], indicator_report.display(found[k])) for k in TABLE_KEYS],
            }
        )
    return header, rows


def _department_scopes():
    return [indicators.Scope(department=d) for d in indicators.departments()]


def _town_scopes():
    return [indicators.Scope(town=t) for t in indicators.towns()]


@dashboard_page
def dashboard(request):
    scope = _scope(request)
    figures = indicators.compute(scope)
    cards = [
        {
            "figure": f,
            "value": indicator_report.display(f),
            "target": indicator_report.display(f, f.target),
        }
        for f in figures
    ]
    tables = []
    if scope.kind == "county":
        for table_id, title, param, scopes, export in (
            (
                "departments",
                _("各部门指标"),
                "department",
                _department_scopes(),
                "export_departments",
            ),
            ("towns", _("各镇(街道)指标"), "town", _town_scopes(), "export_towns"),
        ):
            header, rows = _table(scopes)
            tables.append(
                {
                    "id": table_id,
                    "title": title,
                    "param": param,
                    "header": header,
                    "rows": rows,
                    "export": reverse(f"metrics:{export}"),
                }
            )
    context = {
        "scope": scope,
        "cards": cards,
        "chart": _chart_data(figures),
        "assessment": indicator_report.assessment(scope) if scope.kind == "county" else None,
        "tables": tables,
        "query": request.GET.urlencode(),
    }
    return render(request, "metrics/dashboard/index.html", context)


def _gap_rows(key: str, scope):
    if key not in indicators.DEFINITIONS:
        raise NotFound("未找到该指标", "No such indicator")
    rows = indicators.gap(key, scope)
    return indicators.DEFINITIONS[key], rows


GAP_HEADERS = {
    "items": [
        _l("实施编码"),
        _l("事项名称"),
        _l("实施部门"),
        _l("网办深度"),
        _l("到现场次数"),
        _l("法定时限"),
        _l("承诺时限"),
        _l("全市通办"),
    ],
    "villages": [_l("统计用区划代码"), _l("村(社区)"), _l("所属镇(街道)")],
    "cases": [
        _l("办件编号"),
        _l("事项"),
        _l("承办部门"),
        _l("申请渠道"),
        _l("承诺办结日期"),
        _l("办结时间"),
    ],
    "materials": [_l("办件编号"), _l("材料名称"), _l("可替代的电子证照"), _l("可替代的共享数据项")],
}


def _gap_cells(kind: str, row) -> list:
    if kind == "items":
        guide = row.current_guide
        return [
            row.implementation_code,
            guide.name,
            row.department.short_name,
            guide.online_depth,
            guide.max_visits,
            guide.statutory_days,
            guide.promised_days,
            _("是") if guide.city_wide else _("否"),
        ]
    if kind == "villages":
        return [
            row.statistical_code or "",
            row.division_name or row.name,
            row.parent.division_name if row.parent else "",
        ]
    if kind == "cases":
        return [
            row.number,
            row.guide.name,
            row.department.short_name,
            row.get_channel_display(),
            row.promised_due.isoformat() if row.promised_due else "",
            clock_text(row.concluded_at),
        ]
    return [row.case.number, row.name, row.spec.license_type_code, row.spec.shared_data_item]


def clock_text(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@dashboard_page
def indicator_gap(request, code: str):
    scope = _scope(request)
    definition, rows = _gap_rows(code, scope)
    figure = indicators.compute_one(code, scope)
    kind = definition.gap_of
    header = [str(h) for h in GAP_HEADERS.get(kind, [])]
    if request.GET.get("format") == "xlsx":
        if rows is None:
            raise Http404
        body = indicator_report.workbook(
            definition.name,
            header,
            (_gap_cells(kind, row) for row in rows.order_by("pk")[:EXPORT_LIMIT]),
        )
        return _xlsx(body, f"gap-{code}.xlsx")
    page_rows, next_after = [], None
    if rows is not None:
        after = request.GET.get("after", "")
        if after.isdigit():
            rows = rows.filter(pk__gt=int(after))
        listed = list(rows.order_by("pk")[: PAGE + 1])
        if len(listed) > PAGE:
            next_after = listed[PAGE - 1].pk
        page_rows = [_gap_cells(kind, row) for row in listed[:PAGE]]
    base = request.GET.copy()
    base.pop("after", None)
    base.pop("format", None)
    return render(
        request,
        "metrics/dashboard/gap.html",
        {
            "scope": scope,
            "figure": figure,
            "shown": indicator_report.display(figure),
            "target": indicator_report.display(figure, figure.target),
            "header": header,
            "rows": page_rows,
            "has_rows": rows is not None,
            "next_after": next_after,
            "query": base.urlencode(),
        },
    )


def _xlsx(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _figure_rows(figures):
    for f in figures:
        yield [
            f.key,
            f.name,
            f.numerator,
            f.denominator,
            indicator_report.display(f),
            indicator_report.display(f, f.target),
            "" if f.met is None else (_("是") if f.met else _("否")),
        ]


@dashboard_page
def export_indicators(request):
    scope = _scope(request)
    header = [_("指标代码"), _("指标"), _("分子"), _("分母"), _("值"), _("目标"), _("达标")]
    body = indicator_report.workbook(_("指标"), header, _figure_rows(indicators.compute(scope)))
    return _xlsx(body, "indicators.xlsx")


def _export_table(scopes, title: str, filename: str) -> HttpResponse:
    header, rows = _table(scopes)
    body = indicator_report.workbook(
        title, header, ([row["scope"].label] + [text for _f, text in row["cells"]] for row in rows)
    )
    return _xlsx(body, filename)


@dashboard_page
def export_departments(request):
    return _export_table(_department_scopes(), _("部门"), "departments.xlsx")


@dashboard_page
def export_towns(request):
    return _export_table(_town_scopes(), _("镇街"), "towns.xlsx")


@dashboard_page
def export_assessment(request):
    found = indicator_report.assessment(_scope(request))
    header = [_("指标"), _("权重"), _("分子"), _("分母"), _("值"), _("目标"), _("得分")]
    rows = [
        [
            i.name,
            w,
            i.numerator,
            i.denominator,
            indicator_report.display(i),
            indicator_report.display(i, i.target),
            s,
        ]
        for i, w, s in found["rows"]
    ]
    rows.append([_("合计"), found["full"], "", "", "", "", found["total"]])
    return _xlsx(indicator_report.workbook(_("自评估"), header, rows), "assessment.xlsx")


@dashboard_page
def report_pdf(request):
    body = indicator_report.report_pdf(_scope(request), today=clock.today())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="self-evaluation.pdf"'
    return response
