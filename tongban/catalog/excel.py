"""The whole catalog as an Excel workbook, out and back in, without loss.

``export_catalog`` writes every active item's version in force; ``import_catalog`` reads such a
workbook back. Both go through item documents (``documents.item_document`` /
``validate_document`` / ``apply_document``), so the workbook is one more spelling of the
document shape in ``docs/dev/catalog-contract.md``. The layout for catalog managers is in
``docs/catalog/excel.md``:

- 事项: one row per item: identity, base item, version, every guide element;
- 办理流程, 申请材料, 下沉受理点: one row per step, material, acceptance point, keyed by 实施编码;
- 说明: the legend (columns, allowed values).

Row 1 holds the Chinese headers, row 2 (hidden) the field keys the import reads, data from
row 3. Values are exported exactly: codes not labels, booleans 是/否, lists joined by "；",
structured values (FAQ, form definition) as JSON text, text with the characters an XML cell
cannot hold escaped the way Excel itself does (``_x000D_``).

An import checks every row first and reports every error as (sheet, row, column, message);
if there is any, nothing is written. Otherwise every item is applied in one transaction.
"""

import datetime
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models, transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tongban.catalog import documents, services
from tongban.catalog.models import (
    AcceptancePoint,
    BaseItem,
    Guide,
    MaterialSpec,
    ProcessStep,
    ServiceItem,
    Topic,
)
from tongban.catalog.services import APPLY_WAYS, DELIVERY_WAYS
from tongban.errors import InvalidInput, TongbanError

ITEM_SHEET = "事项"
STEP_SHEET = "办理流程"
MATERIAL_SHEET = "申请材料"
POINT_SHEET = "下沉受理点"
LEGEND_SHEET = "说明"
DATA_SHEETS = (ITEM_SHEET, STEP_SHEET, MATERIAL_SHEET, POINT_SHEET)
FORMAT_VERSION = "1"
FIRST_DATA_ROW = 3
LIST_SEPARATOR = "；"
LIST_SPLIT = re.compile(r"[；;\n]")
TRUE_WORDS = {"是", "true", "1", "yes", "y"}
FALSE_WORDS = {"否", "false", "0", "no", "n"}
EXCEL_CELL_LIMIT = 32_767
# JSON list fields written as "；"-joined codes, with their allowed values for the legend.
LIST_VALUES = {
    "apply_ways": APPLY_WAYS,
    "delivery_ways": DELIVERY_WAYS,
    "topics": dict(Topic.choices),
    "online_flags": {
        "1": "咨询",
        "2": "收件",
        "3": "预审",
        "4": "受理",
        "5": "办理",
        "6": "结果反馈",
        "7": "证照反馈",
        "8": "其他",
    },
}
INT_LISTS = frozenset({"online_flags"})
M2M_NOTES = {
    "windows": "服务中心统计用区划代码/窗口编号,如 610124000/A01;多个以“；”分隔",
    "joint_departments": "部门代码;多个以“；”分隔",
}
# Characters an XML cell cannot hold (and the carriage return, which XML readers turn into a
# line feed), and literal "_xHHHH_" text that would otherwise read back as an escape.
_ESCAPE = re.compile(r"(_x[0-9A-Fa-f]{4}_)|([\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff])")
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


# --- columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: the document key it holds, its Chinese header and how values are spelled.

    ``kind``: text, code (stripped; kept as text in Excel), int, int_or_blank, bool,
    bool_active (blank means 是), choice, int_choice, list, int_list, json, date.
    """

    key: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    note: str = ""
    default: Callable | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))


def _model_column(model, name: str, key: str, label: str | None = None) -> Column:
    field_ = model._meta.get_field(name)
    label = label or str(field_.verbose_name)
    note = str(getattr(field_, "help_text", "") or "")
    if field_.many_to_many:
        return Column(key, label, "list", note=M2M_NOTES.get(name, note))
    if isinstance(field_, models.JSONField):
        if name in LIST_VALUES:
            kind = "int_list" if name in INT_LISTS else "list"
            return Column(key, label, kind, tuple(LIST_VALUES[name].items()), note)
        return Column(key, label, "json", note=note or "JSON", default=field_.default)
    if isinstance(field_, models.BooleanField):
        return Column(key, label, "bool", note=note)
    if isinstance(field_, models.IntegerField):
        if field_.choices:
            choices = tuple((str(v), str(lbl)) for v, lbl in field_.choices)
            return Column(key, label, "int_choice", choices, note)
        return Column(key, label, "int_or_blank" if field_.null else "int", note=note)
    if isinstance(field_, models.DateField):
        return Column(key, label, "date", note=note)
    if field_.choices:
        return Column(key, label, "choice", tuple((v, str(lbl)) for v, lbl in field_.choices), note)
    return Column(key, label, "text", note=note)


def _guide_columns() -> list[Column]:
    names = [*services.ELEMENT_FIELDS, *services.M2M_FIELDS]
    columns = [_model_column(Guide, name, f"guide.{name}") for name in names]
    return [
        Column(c.key, c.label, c.kind, c.choices, "存储路径,如 catalog/results/样本.pdf")
        if c.key == "guide.result_sample"
        else c
        for c in columns
    ]


CODE_COLUMN = Column("implementation_code", "实施编码", "code", note="必填,唯一")
ITEM_COLUMNS = (
    CODE_COLUMN,
    Column("department", "实施部门代码", "code", note="部门代码,如 approval"),
    Column("is_active", "在用", "bool_active", note="是/否,空白视为“是”"),
    Column("base.base_code", "基本编码", "code", note="基本目录编码;不存在时新建基本目录事项"),
    _model_column(BaseItem, "name", "base.name", "基本目录事项名称"),
    _model_column(BaseItem, "item_type", "base.item_type"),
    _model_column(BaseItem, "legal_basis", "base.legal_basis"),
    _model_column(BaseItem, "level", "base.level"),
    Column("version", "版本号", "int_or_blank", note="导出时的现行版本号,导入时仅供参考"),
    Column("effective_from", "生效日期", "date", note="YYYY-MM-DD;空白为导入当日生效"),
    *_guide_columns(),
)
STEP_COLUMNS = (
    CODE_COLUMN,
    Column("order", "顺序", "int", note="同一事项内从1开始的序号,决定环节先后"),
    *(_model_column(ProcessStep, name, name) for name in ("name", "days", "description")),
)
MATERIAL_COLUMNS = (
    CODE_COLUMN,
    Column("order", "顺序", "int", note="同一事项内从1开始的序号,决定材料排列顺序"),
    *(_model_column(MaterialSpec, name, name) for name in services.MATERIAL_FIELDS),
)
POINT_COLUMNS = (
    CODE_COLUMN,
    Column("center", "服务中心统计代码", "code", note="镇(街道)9位或村(社区)12位统计用区划代码"),
    _model_column(AcceptancePoint, "mode", "mode"),
)
SHEET_COLUMNS = {
    ITEM_SHEET: ITEM_COLUMNS,
    STEP_SHEET: STEP_COLUMNS,
    MATERIAL_SHEET: MATERIAL_COLUMNS,
    POINT_SHEET: POINT_COLUMNS,
}
# Where each sub-sheet's rows live in a document.
SHEET_LISTS = {STEP_SHEET: "steps", MATERIAL_SHEET: "materials", POINT_SHEET: "acceptance_points"}
LIST_SHEETS = {name: sheet for sheet, name in SHEET_LISTS.items()}


# --- cell values ------------------------------------------------------------------------


def _escape(text: str) -> str:
    def replace(match):
        if match.group(1):
            return "_x005F" + match.group(1)
        return f"_x{ord(match.group(2)):04X}_"

    return _ESCAPE.sub(replace, text)


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _to_cell(column: Column, value):
    """The cell value of a document value (``None`` for an empty cell)."""
    kind = column.kind
    if kind in ("bool", "bool_active"):
        return "是" if value else "否"
    if kind in ("int", "int_or_blank", "int_choice"):
        return value
    if kind in ("list", "int_list"):
        items = [str(v) for v in value or []]
        for item in items:
            if LIST_SPLIT.search(item) or item != item.strip() or not item:
                raise ValueError(f"{column.label} 的取值 {item!r} 无法写成以“；”分隔的列表")
        return LIST_SEPARATOR.join(items) or None
    if kind == "json":
        if value == (column.default() if column.default else None):
            return None
        return _escape(json.dumps(value, ensure_ascii=False))
    if value is None or value == "":
        return None
    return _escape(str(value))


class CellError(ValueError):
    """A cell that cannot be read as its column's kind; the message is for the manager."""


def _from_cell(column: Column, value):
    """The document value of a cell, or ``CellError``."""
    kind = column.kind
    if isinstance(value, str):
        value = _unescape(value)
    blank = value is None or (isinstance(value, str) and value.strip() == "")
    if kind == "text":
        return "" if value is None else _text(value)
    if kind == "code":
        return "" if blank else _text(value).strip()
    if kind in ("int", "int_or_blank"):
        return None if blank else _integer(value)
    if kind == "int_choice":
        if blank:
            return None
        if isinstance(value, str) and (code := _code_of(column, value.strip())) is not None:
            return int(code)
        number = _integer(value)
        if str(number) not in dict(column.choices):
            raise CellError(_allowed(column))
        return number
    if kind in ("bool", "bool_active"):
        if blank:
            return kind == "bool_active"
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise CellError("应填写“是”或“否” / must be 是 or 否")
    if kind == "choice":
        if blank:
            return ""
        text = _text(value).strip()
        code = _code_of(column, text)
        if code is None and isinstance(value, int | float) and not isinstance(value, bool):
            code = _code_of(column, text.zfill(len(column.choices[0][0])))
        if code is None:
            raise CellError(_allowed(column))
        return code
    if kind in ("list", "int_list"):
        items = [] if blank else [p.strip() for p in LIST_SPLIT.split(_text(value))]
        items = [p for p in items if p]
        if kind == "int_list":
            try:
                return [int(p) for p in items]
            except ValueError:
                raise CellError("应为以“；”分隔的数字 / numbers separated by ；") from None
        return [_code_of(column, p) or p for p in items] if column.choices else items
    if kind == "json":
        if blank:
            return column.default() if column.default else None
        try:
            return json.loads(_text(value))
        except json.JSONDecodeError as error:
            raise CellError(
                f"不是有效的 JSON(第{error.lineno}行第{error.colno}列:{error.msg}) / not valid JSON"
            ) from None
    if kind == "date":
        if blank:
            return None
        if isinstance(value, datetime.datetime | datetime.date):
            return (value.date() if isinstance(value, datetime.datetime) else value).isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise CellError("日期应为 YYYY-MM-DD,如 2026-01-01 / must be a date") from None
    raise AssertionError(kind)


def _text(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _integer(value) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数 / must be a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise CellError("应为整数 / must be a whole number")


def _code_of(column: Column, text: str) -> str | None:
    """The code for a code or its Chinese label."""
    for code, label in column.choices:
        if text in (code, label):
            return code
    return None


def _allowed(column: Column) -> str:
    shown = "、".join(f"{code}({label})" for code, label in column.choices)
    return f"可选值:{shown} / allowed: {', '.join(c for c, _ in column.choices)}"


# --- export -----------------------------------------------------------------------------


def exported_items():
    """What ``export_catalog`` writes by default: every active item with a version in force."""
    return (
        ServiceItem.objects.filter(is_active=True, current_guide__isnull=False)
        .select_related("current_guide", "department", "base_item")
        .prefetch_related(
            "current_guide__steps", "current_guide__materials", "current_guide__joint_departments"
        )
        .order_by("implementation_code")
    )


def export_catalog(
    path_or_stream, items: Iterable[ServiceItem] | None = None, *, progress=None
) -> int:
    """Write the catalog to a workbook (a path or a binary stream); the number of items.

    ``progress(stage, done, total)`` is called as items are written (stage ``"export"``).
    """
    items = exported_items() if items is None else items
    total = items.count() if isinstance(items, models.QuerySet) else None
    if isinstance(items, models.QuerySet):
        items = items.iterator(chunk_size=500)
    book = Workbook(write_only=True)
    sheets = {name: _data_sheet(book, name) for name in DATA_SHEETS}
    count = 0
    for item in items:
        doc = documents.item_document(item)
        _check_document_keys(doc)
        sheets[ITEM_SHEET].append(_row(sheets[ITEM_SHEET], ITEM_COLUMNS, doc))
        code = doc["implementation_code"]
        for sheet_name, list_name in SHEET_LISTS.items():
            columns = SHEET_COLUMNS[sheet_name]
            for order, entry in enumerate(doc.get(list_name, []), 1):
                values = {**entry, "implementation_code": code, "order": order}
                sheets[sheet_name].append(_row(sheets[sheet_name], columns, values))
        count += 1
        if progress and count % 50 == 0:
            progress("export", count, total)
    _legend_sheet(book)
    book.save(path_or_stream)
    if progress:
        progress("export", count, total)
    return count


def _data_sheet(book, name: str):
    sheet = book.create_sheet(name)
    columns = SHEET_COLUMNS[name]
    for index, column in enumerate(columns, 1):
        width = {"text": 30, "json": 40}.get(column.kind, 16)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B3" if name == ITEM_SHEET else "C3"
    sheet.row_dimensions[2].hidden = True
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    sheet.append([column.key for column in columns])
    return sheet


def _row(sheet, columns, doc: dict) -> list:
    row = []
    for column in columns:
        value = _to_cell(column, _get(doc, column.path))
        if isinstance(value, str):
            if len(value) > EXCEL_CELL_LIMIT:
                raise ValueError(
                    f"{doc.get('implementation_code')} 的「{column.label}」超过 Excel 单元格"
                    f"上限 {EXCEL_CELL_LIMIT} 个字符,无法无损导出"
                )
            if column.kind == "code" or value.startswith("="):
                # Text format keeps codes such as 0001… as typed, and "=…" is never a formula.
                cell = WriteOnlyCell(sheet, value)
                cell.data_type = "s"
                cell.number_format = "@"
                value = cell
        row.append(value)
    return row


def _get(doc: dict, path: tuple[str, ...]):
    value = doc
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _check_document_keys(doc: dict) -> None:
    """A document key without a column would be lost on the way back: refuse to export."""
    known = {c.key for c in ITEM_COLUMNS} | set(SHEET_LISTS.values())
    keys = {k for k in doc if k not in ("base", "guide")}
    keys |= {f"base.{k}" for k in doc.get("base", {})}
    keys |= {f"guide.{k}" for k in doc.get("guide", {})}
    for sheet, name in SHEET_LISTS.items():
        columns = {c.key for c in SHEET_COLUMNS[sheet]}
        for entry in doc.get(name, []):
            keys |= {f"{name}.{k}" for k in entry if k not in columns}
    missing = sorted(keys - known)
    if missing:
        raise ValueError(f"Excel 导出没有这些字段的列,无法无损导出: {', '.join(missing)}")


def _legend_sheet(book) -> None:
    sheet = book.create_sheet(LEGEND_SHEET)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 28
    sheet.column_dimensions["D"].width = 14
    sheet.column_dimensions["E"].width = 80
    bold = Font(bold=True)
    title = WriteOnlyCell(sheet, "周至县政务服务事项目录 Excel 文件说明")
    title.font = bold
    sheet.append([title])
    for line in (
        f"格式版本:{FORMAT_VERSION}",
        "第1行为中文列名,第2行(已隐藏)为字段代码,导入按字段代码识别各列,请勿修改或删除第2行。",
        "数据从第3行开始;空行会被跳过。办理流程、申请材料、下沉受理点以“实施编码”对应到事项,"
        "按“顺序”排列。",
        "选项类字段填写代码(也可填写下表中的中文名称,导入时换算为代码);是否类字段填“是”或“否”;"
        "多个取值以全角分号“；”分隔;常见问题、申请表单定义为 JSON 文本。",
        "导入时先检查全部行,有任何错误则列出每一处错误(工作表、行号、列名、原因),不作任何修改;"
        "全部正确才在一个事务中写入。内容有变化的事项发布新版本,未变化的事项不产生新版本。",
        "文本中的 _x000D_ 等是 Excel 对回车等特殊字符的转写,请保留原样。",
        "",
    ):
        sheet.append([line])
    header = []
    for text in ("工作表", "列名", "字段代码", "填写方式", "允许的取值与说明"):
        cell = WriteOnlyCell(sheet, text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for sheet_name in DATA_SHEETS:
        for column in SHEET_COLUMNS[sheet_name]:
            sheet.append(
                [sheet_name, column.label, column.key, KIND_LABELS[column.kind], _note(column)]
            )


KIND_LABELS = {
    "text": "文本",
    "code": "代码",
    "int": "整数",
    "int_or_blank": "整数,可空",
    "bool": "是/否",
    "bool_active": "是/否",
    "choice": "选项代码",
    "int_choice": "选项代码",
    "list": "列表(；分隔)",
    "int_list": "列表(；分隔)",
    "json": "JSON",
    "date": "日期",
}


def _note(column: Column) -> str:
    parts = []
    if column.choices:
        parts.append(";".join(f"{code} {label}" for code, label in column.choices))
    if column.note:
        parts.append(str(column.note))
    return "。".join(parts)


# --- import -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in the file: where it is and what is wrong, in Chinese."""

    sheet: str
    row: int  # the Excel row number; 0 when the problem is the sheet itself
    column: str  # the Chinese header, or "" for the whole row
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f" 第{self.row}行" if self.row else "")
        if self.column:
            where += f"「{self.column}」"
        return f"{where}:{self.message}"


@dataclass
class ImportReport:
    """What an import found and did. ``errors`` empty means it was (or would be) applied."""

    items: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[tuple[str, int]]:
        """Each (sheet, row) with at least one error, in file order."""
        order = {name: i for i, name in enumerate(DATA_SHEETS)}
        rows = {(e.sheet, e.row) for e in self.errors}
        return sorted(rows, key=lambda r: (order.get(r[0], 9), r[1]))

    def summary(self) -> str:
        if self.errors:
            return (
                f"导入失败:{len(self.bad_rows)} 行有误,共 {len(self.errors)} 处错误,未作任何修改。"
            )
        if self.dry_run:
            return (
                f"检查通过(试运行,未写入):共 {self.items} 个事项,其中 {self.created} 个为新增事项。"
            )
        return (
            f"导入完成:共 {self.items} 个事项,新增 {self.created} 个,"
            f"更新 {self.changed} 个,未变化 {self.unchanged} 个。"
        )


class ImportRejected(InvalidInput):
    """The file has errors; nothing was changed. ``report.errors`` lists every one."""

    code = "import_rejected"
    message = "导入文件有误,未作任何修改"
    message_en = "The file has errors; nothing was changed"

    def __init__(self, report: ImportReport):
        self.report = report
        fields: dict[str, list[str]] = {}
        for error in report.errors:
            where = error.sheet + (f" 第{error.row}行" if error.row else "")
            if error.column:
                where += f" {error.column}"
            fields.setdefault(where, []).append(error.message)
        super().__init__(f"{self.message}:{report.summary()}", fields=fields)


@dataclass
class _Parsed:
    """One item read from the file: its document and where each part came from."""

    doc: dict
    row: int
    sub_rows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    bad_cells: set[tuple[str, int, str]] = field(default_factory=set)


def import_catalog(
    path_or_stream, *, by=None, progress=None, dry_run: bool = False
) -> ImportReport:
    """Read a workbook, check every row, and apply it all in one transaction.

    Raises ``ImportRejected`` (nothing changed) when any row is wrong. ``progress(stage, done,
    total)`` is called while reading (``"read"``), checking (``"check"``) and writing
    (``"apply"``). With ``dry_run`` the file is checked and nothing is written.
    """
    report = ImportReport(dry_run=dry_run)
    try:
        book = load_workbook(path_or_stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        report.errors.append(RowError("", 0, "", f"无法读取 Excel 文件({error})"))
        raise ImportRejected(report) from error
    try:
        parsed = _read(book, report, progress)
    finally:
        book.close()
    if report.errors and not parsed:
        raise ImportRejected(report)
    _check(parsed, report, progress)
    report.items = len(parsed)
    if report.errors:
        report.errors.sort(key=_error_order)
        raise ImportRejected(report)
    existing = set(
        ServiceItem.objects.filter(implementation_code__in=list(parsed)).values_list(
            "implementation_code", flat=True
        )
    )
    if dry_run:
        report.created = len(set(parsed) - existing)
    else:
        _apply(parsed, existing, report, by, progress)
    return report


def _error_order(error: RowError):
    order = {name: i for i, name in enumerate(DATA_SHEETS)}
    return (order.get(error.sheet, -1), error.row, error.column, error.message)


def _read(book, report: ImportReport, progress) -> dict[str, _Parsed]:
    missing = [name for name in DATA_SHEETS if name not in book.sheetnames]
    for name in missing:
        report.errors.append(RowError(name, 0, "", "缺少此工作表 / the sheet is missing"))
    if missing:
        return {}
    headers = {name: _header(book[name], report) for name in DATA_SHEETS}
    if report.errors:
        return {}
    total = sum(book[name].max_row or 0 for name in DATA_SHEETS) or None
    done = 0

    def rows(name):
        nonlocal done
        for number, values in enumerate(
            book[name].iter_rows(min_row=FIRST_DATA_ROW, values_only=True), FIRST_DATA_ROW
        ):
            done += 1
            if progress and done % 200 == 0:
                progress("read", done, total)
            if any(v is not None and v != "" for v in values):
                yield number, values

    items: dict[str, _Parsed] = {}
    for number, values in rows(ITEM_SHEET):
        parsed = _Parsed(doc={"base": {}, "guide": {}}, row=number)
        for column, value in _cells(headers[ITEM_SHEET], values):
            _put(parsed, ITEM_SHEET, number, column, value, report, parsed.doc)
        code = parsed.doc.get("implementation_code")
        if not code:
            _error(report, ITEM_SHEET, number, CODE_COLUMN.label, "请填写实施编码 / required")
        elif code in items:
            _error(
                report,
                ITEM_SHEET,
                number,
                CODE_COLUMN.label,
                f"实施编码与第{items[code].row}行重复 / duplicate implementation code",
            )
        else:
            items[code] = parsed
    for name in (STEP_SHEET, MATERIAL_SHEET, POINT_SHEET):
        _read_entries(name, rows(name), headers[name], items, report)
    if progress:
        progress("read", done, done)
    return items


def _header(sheet, report: ImportReport) -> list[Column | None]:
    """The column of each position, from the key row (row 2)."""
    name = sheet.title
    expected = {c.key: c for c in SHEET_COLUMNS[name]}
    labels = {c.label: c for c in SHEET_COLUMNS[name]}
    head = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True))
    if len(head) < 2 or not expected.keys() & {_text(v).strip() for v in head[1] if v}:
        report.errors.append(
            RowError(
                name,
                2,
                "",
                "第2行应为字段代码(平台导出时隐藏的一行),请恢复该行或使用平台导出的文件"
                " / row 2 must hold the column keys",
            )
        )
        return []
    columns: list[Column | None] = []
    seen: dict[str, int] = {}
    for index, (label, key) in enumerate(zip(head[0], head[1], strict=False), 1):
        label = _text(label).strip() if label is not None else ""
        key = _text(key).strip() if key is not None else ""
        if not key and not label:
            columns.append(None)
            continue
        column = expected.get(key)
        if column is None:
            known_label = labels.get(label)
            hint = f",应为 {known_label.key}" if known_label else ""
            report.errors.append(
                RowError(
                    name,
                    2,
                    label or get_column_letter(index),
                    f"第2行的字段代码“{key}”无法识别{hint} / unknown column key",
                )
            )
            columns.append(None)
            continue
        if key in seen:
            report.errors.append(
                RowError(name, 2, column.label, f"与第{seen[key]}列重复 / duplicate column")
            )
        seen[key] = index
        columns.append(column)
    for key, column in expected.items():
        if key not in seen:
            report.errors.append(
                RowError(name, 2, column.label, f"缺少此列(字段代码 {key}) / missing column")
            )
    return columns


def _cells(header: list[Column | None], values):
    for column, value in zip(header, values, strict=False):
        if column is not None:
            yield column, value


def _put(parsed: _Parsed, sheet: str, row: int, column: Column, value, report, target) -> None:
    try:
        converted = _from_cell(column, value)
    except CellError as error:
        _error(report, sheet, row, column.label, str(error))
        parsed.bad_cells.add((sheet, row, column.label))
        converted = None
    node = target
    for part in column.path[:-1]:
        node = node.setdefault(part, {})
    node[column.path[-1]] = converted


def _error(report: ImportReport, sheet: str, row: int, column: str, message: str) -> None:
    entry = RowError(sheet, row, column, message)
    if entry not in report.errors:
        report.errors.append(entry)


def _read_entries(sheet: str, rows, header, items: dict[str, _Parsed], report) -> None:
    list_name = SHEET_LISTS[sheet]
    collected: dict[str, list[tuple[int, int, dict]]] = defaultdict(list)
    orders: dict[tuple[str, int], int] = {}
    for number, values in rows:
        entry: dict = {}
        scratch = _Parsed(doc=entry, row=number)
        for column, value in _cells(header, values):
            _put(scratch, sheet, number, column, value, report, entry)
        code = entry.pop("implementation_code", "")
        order = entry.pop("order", None)
        if not code:
            _error(report, sheet, number, CODE_COLUMN.label, "请填写实施编码 / required")
            continue
        if code not in items:
            _error(
                report,
                sheet,
                number,
                CODE_COLUMN.label,
                f"实施编码 {code} 不在“{ITEM_SHEET}”表中 / no such item in the item sheet",
            )
            continue
        items[code].bad_cells |= scratch.bad_cells
        if sheet != POINT_SHEET:
            if order is None:
                if (sheet, number, "顺序") not in scratch.bad_cells:
                    _error(report, sheet, number, "顺序", "请填写顺序 / required")
                continue
            if order < 1:
                _error(report, sheet, number, "顺序", "顺序应从1开始 / must be 1 or more")
                continue
            if (code, order) in orders:
                _error(
                    report,
                    sheet,
                    number,
                    "顺序",
                    f"与第{orders[(code, order)]}行的顺序重复 / duplicate order",
                )
                continue
            orders[(code, order)] = number
        collected[code].append((order or 0, number, entry))
    for code, parsed in items.items():
        entries = sorted(collected.get(code, []), key=lambda e: (e[0], e[1]))
        parsed.doc[list_name] = [entry for _, _, entry in entries]
        parsed.sub_rows[list_name] = [number for _, number, _ in entries]


def _check(parsed: dict[str, _Parsed], report: ImportReport, progress) -> None:
    total = len(parsed)
    for done, item in enumerate(parsed.values(), 1):
        for path, messages in documents.validate_document(item.doc).items():
            sheet, row, column, prefix = _locate(item, path)
            if (sheet, row, column) in item.bad_cells:
                continue  # already reported: the cell could not be read
            for message in messages:
                _error(report, sheet, row, column, prefix + str(message))
        if progress and (done % 50 == 0 or done == total):
            progress("check", done, total)


ITEM_BY_KEY = {c.key: c for c in ITEM_COLUMNS}
LIST_LABELS = {"steps": STEP_SHEET, "materials": MATERIAL_SHEET, "acceptance_points": POINT_SHEET}
_PATH_PARTS = re.compile(r"[^.\[\]]+")


def _locate(item: _Parsed, path: str) -> tuple[str, int, str, str]:
    """Where an error path of ``validate_document`` points in the file.

    Paths may be ``promised_days`` or ``guide.promised_days``, ``base.item_type``,
    ``steps[1].days`` (or ``steps.1.days``), ``guide.form_schema.fields[0].type``; what
    cannot be placed on a cell goes to the item's row, with the path in the message.
    """
    parts = _PATH_PARTS.findall(path)
    if not parts:
        return ITEM_SHEET, item.row, "", ""
    head = parts[0]
    if head in LIST_SHEETS:
        sheet = LIST_SHEETS[head]
        rows = item.sub_rows.get(head, [])
        if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(rows):
            row = rows[int(parts[1])]
            columns = {c.key: c.label for c in SHEET_COLUMNS[sheet]}
            rest = parts[2:]
            if rest and rest[0] in columns:
                return sheet, row, columns[rest[0]], _sub_path(rest[1:])
            return sheet, row, "", _sub_path(rest)
        return ITEM_SHEET, item.row, sheet, ""
    for size in (2, 1):
        key = ".".join(parts[:size])
        if key in ITEM_BY_KEY:
            return ITEM_SHEET, item.row, ITEM_BY_KEY[key].label, _sub_path(parts[size:])
    key = f"guide.{head}"
    if key in ITEM_BY_KEY:
        return ITEM_SHEET, item.row, ITEM_BY_KEY[key].label, _sub_path(parts[1:])
    key = f"base.{head}"
    if key in ITEM_BY_KEY:
        return ITEM_SHEET, item.row, ITEM_BY_KEY[key].label, _sub_path(parts[1:])
    return ITEM_SHEET, item.row, "", f"{path}:"


def _sub_path(parts: list[str]) -> str:
    """``fields[0].type: `` for an error inside a JSON cell (form definition, FAQ)."""
    if not parts:
        return ""
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return f"{text}:"


def _apply(parsed: dict[str, _Parsed], existing: set[str], report, by, progress) -> None:
    total = len(parsed)
    try:
        with transaction.atomic():
            for done, (code, item) in enumerate(parsed.items(), 1):
                try:
                    _, changed = documents.apply_document(item.doc, by=by)
                except TongbanError as error:
                    for path, messages in (error.fields or {"": [error.message]}).items():
                        sheet, row, column, prefix = _locate(item, path)
                        for message in messages:
                            _error(report, sheet, row, column, prefix + str(message))
                    raise
                if code not in existing:
                    report.created += 1
                elif changed:
                    report.changed += 1
                else:
                    report.unchanged += 1
                if progress and (done % 50 == 0 or done == total):
                    progress("apply", done, total)
    except TongbanError:
        report.created = report.changed = report.unchanged = 0
        raise ImportRejected(report) from None


__all__ = [
    "ImportRejected",
    "ImportReport",
    "RowError",
    "export_catalog",
    "exported_items",
    "import_catalog",
]
