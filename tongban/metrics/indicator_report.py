"""The self-evaluation report and the Excel exports of the dashboard's tables.

The report follows the national capability assessment's shape: each §4 indicator with its
weight (``METRICS_WEIGHTS``, optional setting), value, target and score, the total score,
the gaps, and for each gap the first items (or villages, cases) to fix. A score is the
weight times the share of the target reached (capped at the weight); an indicator without
data scores nothing and is listed as a gap.
"""

import datetime
import io

from django.conf import settings
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tongban.cases.receipts import font
from tongban.metrics import indicators

DEFAULT_WEIGHTS = {
    "online_full": 20,
    "time_compression": 15,
    "one_visit": 15,
    "instant": 10,
    "bad_review_rectified": 10,
    "city_wide": 10,
    "village_proxy": 10,
    "one_window": 10,
}
GAP_ROWS = 20


def weights() -> dict[str, float]:
    return dict(getattr(settings, "METRICS_WEIGHTS", None) or DEFAULT_WEIGHTS)


def score(indicator: indicators.Indicator, weight: float) -> float:
    if indicator.value is None or not indicator.target:
        return 0.0
    share = indicator.value / indicator.target
    if indicators.DEFINITIONS[indicator.key].lower_is_better:
        share = indicator.target / indicator.value if indicator.value else 1.0
    return round(weight * min(share, 1.0), 2)


def assessment(scope: indicators.Scope = indicators.COUNTY) -> dict:
    """Rows (indicator, weight, score), the total, the full marks and the gaps."""
    chosen = weights()
    figures = [i for i in indicators.compute(scope) if i.key in chosen]
    rows = [(i, chosen[i.key], score(i, chosen[i.key])) for i in figures]
    return {
        "rows": rows,
        "total": round(sum(s for _i, _w, s in rows), 2),
        "full": sum(w for _i, w, _s in rows),
        "gaps": [i for i in figures if not i.met],
    }


def display(indicator: indicators.Indicator, value=...) -> str:
    value = indicator.value if value is ... else value
    if value is None:
        return "—"
    if indicator.unit == indicators.PERCENT:
        return f"{value * 100:.1f}%"
    if indicator.unit == indicators.DAYS:
        return f"{value:.2f}"
    return f"{value:g}"


def gap_label(row) -> str:
    """One line naming a row of a drill-down (item, village, case or material)."""
    from tongban.cases.models import Case, Material
    from tongban.catalog.models import ServiceItem

    if isinstance(row, ServiceItem):
        guide = row.current_guide
        return f"{row.implementation_code} {guide.name}({row.department.short_name})"
    if isinstance(row, Case):
        return f"{row.number} {row.guide.name}"
    if isinstance(row, Material):
        return f"{row.case.number} {row.name}"
    return f"{row.statistical_code or ''} {row.division_name or row.name}"


def report_pdf(scope: indicators.Scope = indicators.COUNTY, *, today: datetime.date) -> bytes:
    face = font()
    title = ParagraphStyle("title", fontName=face, fontSize=16, leading=22, spaceAfter=6)
    heading = ParagraphStyle("heading", fontName=face, fontSize=12, leading=18, spaceBefore=8)
    body = ParagraphStyle("body", fontName=face, fontSize=9, leading=13)
    found = assessment(scope)
    story = [
        Paragraph(f"{scope.label}政务服务能力自评估报告", title),
        Paragraph(f"评估日期:{today.isoformat()}  得分:{found['total']} / {found['full']}", body),
        Spacer(1, 4 * mm),
        Paragraph("一、指标得分", heading),
    ]
    table = [["指标", "权重", "分子/分母", "值", "目标", "得分", "达标"]]
    for indicator, weight, points in found["rows"]:
        table.append(
            [
                Paragraph(indicator.name, body),
                f"{weight:g}",
                f"{indicator.numerator}/{indicator.denominator}",
                display(indicator),
                display(indicator, indicator.target),
                f"{points:g}",
                "是" if indicator.met else "否",
            ]
        )
    grid = Table(
        table,
        repeatRows=1,
        colWidths=[50 * mm, 14 * mm, 30 * mm, 20 * mm, 20 * mm, 16 * mm, 14 * mm],
    )
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), face),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
            ]
        )
    )
    story += [grid, Paragraph("二、差距与整改清单", heading)]
    if not found["gaps"]:
        story.append(Paragraph("各项指标均已达标。", body))
    for indicator in found["gaps"]:
        story.append(
            Paragraph(
                f"{indicator.name}:现值 {display(indicator)},目标 "
                f"{display(indicator, indicator.target)}",
                heading,
            )
        )
        rows = indicators.gap(indicator.key, scope)
        if rows is None:
            story.append(Paragraph("明细见好差评、一件事一次办等模块。", body))
            continue
        listed = list(rows.order_by("pk")[: GAP_ROWS + 1])
        for row in listed[:GAP_ROWS]:
            story.append(Paragraph("· " + gap_label(row), body))
        if len(listed) > GAP_ROWS:
            story.append(Paragraph(f"……(仅列前 {GAP_ROWS} 项,完整清单见看板)", body))
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, title="政务服务能力自评估报告", leftMargin=15 * mm, rightMargin=15 * mm
    ).build(story)
    return out.getvalue()


def workbook(title: str, header: list[str], rows) -> bytes:
    """One sheet: a bold header and the rows, as .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
