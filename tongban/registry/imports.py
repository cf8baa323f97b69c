"""Import people and entities from Excel (.xlsx) or CSV, all rows or none.

Row 1 holds the Chinese headers (``PERSON_COLUMNS`` / ``ENTITY_COLUMNS``, any order), data
from row 2. Every row is checked first and every bad field reported as (row, column,
message) with the catalog import's ``RowError``; with any error nothing is written
(``ImportRejected``). Otherwise rows are created or updated (found by ID number or credit
code) in one transaction, each change audited with masked values. Format: docs/registry.md.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from openpyxl import load_workbook

from tongban.catalog.excel import ImportRejected, ImportReport, RowError
from tongban.org.validators import normalize_uscc
from tongban.registry import services
from tongban.registry.models import LegalEntity

PERSON_COLUMNS = {
    "身份证号码": "id_number",
    "姓名": "name",
    "性别": "sex",
    "户籍地址": "address",
    "手机号码": "phone",
    "所属区划代码": "division",
}
PERSON_REQUIRED = ("身份证号码", "姓名")
ENTITY_COLUMNS = {
    "统一社会信用代码": "uscc",
    "名称": "name",
    "主体类型": "entity_type",
    "法定代表人": "legal_rep_name",
    "法定代表人身份证号码": "legal_rep_id_number",
    "注册地址": "registered_address",
    "行业": "industry",
    "注册资本(万元)": "registered_capital",
    "登记状态": "status",
    "成立日期": "established_on",
}
ENTITY_REQUIRED = ("统一社会信用代码", "名称", "主体类型", "法定代表人")
SEX_WORDS = {"男": "male", "女": "female", "male": "male", "female": "female"}
FIRST_DATA_ROW = 2


@dataclass
class RegistryImportReport(ImportReport):
    def summary(self) -> str:
        if self.errors:
            return (
                f"导入失败:{len(self.bad_rows)} 行有误,共 {len(self.errors)} 处错误,未作任何修改。"
            )
        return (
            f"导入完成:共 {self.items} 行,新增 {self.created} 条,更新 {self.changed} 条,"
            f"未变化 {self.unchanged} 条。"
        )


def import_persons(source, *, by=None, name: str = "", dry_run: bool = False):
    return _import(source, name, PERSON_COLUMNS, PERSON_REQUIRED, _check_person, by, dry_run)


def import_entities(source, *, by=None, name: str = "", dry_run: bool = False):
    return _import(source, name, ENTITY_COLUMNS, ENTITY_REQUIRED, _check_entity, by, dry_run)


def _import(source, name, columns, required, check, by, dry_run) -> RegistryImportReport:
    report = RegistryImportReport(dry_run=dry_run)
    sheet, rows = _rows(source, name, report)
    if report.errors:
        raise ImportRejected(report)
    header = [str(cell or "").strip() for cell in (rows[0] if rows else [])]
    missing = [label for label in required if label not in header]
    for label in missing:
        report.errors.append(RowError(sheet, 1, label, "缺少此列 / the column is missing"))
    if missing:
        raise ImportRejected(report)
    records, seen = [], {}
    for number, values in enumerate(rows[1:], start=FIRST_DATA_ROW):
        if all(_text(v) == "" for v in values):
            continue
        raw = {
            label: _text(values[i]) if i < len(values) else ""
            for i, label in enumerate(header)
            if label in columns
        }
        values_for_service, key = check(raw, sheet, number, report, columns)
        if key:
            if key in seen:
                report.errors.append(
                    RowError(sheet, number, required[0], f"与第{seen[key]}行重复 / duplicate")
                )
            seen.setdefault(key, number)
        records.append(values_for_service)
    report.items = len(records)
    if report.errors:
        report.errors.sort()
        raise ImportRejected(report)
    if not dry_run:
        with transaction.atomic():
            for values in records:
                _apply(values, report, by)
    return report


def _check_person(raw, sheet, number, report, columns):
    values = {columns[label]: value for label, value in raw.items()}
    for label in PERSON_REQUIRED:
        if not raw.get(label):
            report.errors.append(RowError(sheet, number, label, "必填 / required"))
    if values.get("sex"):
        sex = SEX_WORDS.get(values["sex"])
        if sex is None:
            report.errors.append(RowError(sheet, number, "性别", "应为“男”或“女” / 男 or 女"))
        values["sex"] = sex
    existing = services.find_person(values.get("id_number") or "")
    errors = services.person_errors(values, instance=existing)
    _report_fields(errors, columns, sheet, number, report, skip=raw)
    values["_existing"] = existing
    return values, services.normalize_id_number(values.get("id_number") or "")


def _check_entity(raw, sheet, number, report, columns):
    values = {columns[label]: value or None for label, value in raw.items()}
    for key in ("name", "legal_rep_name", "registered_address", "industry", "legal_rep_id_number"):
        values[key] = values.get(key) or ""
    for label in ENTITY_REQUIRED:
        if not raw.get(label):
            report.errors.append(RowError(sheet, number, label, "必填 / required"))
    for key, choices in (("entity_type", LegalEntity.Type), ("status", LegalEntity.Status)):
        if values.get(key):
            code = _code_of(choices, values[key])
            if code is None:
                report.errors.append(
                    RowError(
                        sheet,
                        number,
                        _label(columns, key),
                        "应为:" + "、".join(str(label) for label in choices.labels),
                    )
                )
            values[key] = code
    if not values.get("status"):
        values.pop("status", None)
    existing = services.find_entity(values.get("uscc") or "")
    errors = services.entity_errors(values, instance=existing)
    _report_fields(errors, columns, sheet, number, report, skip=raw)
    values["_existing"] = existing
    return values, normalize_uscc(values.get("uscc") or "")


def _report_fields(errors, columns, sheet, number, report, *, skip) -> None:
    already = {(e.row, e.column) for e in report.errors if e.sheet == sheet}
    for field, messages in errors.items():
        label = _label(columns, field)
        if (number, label) in already:
            continue
        for message in messages:
            report.errors.append(RowError(sheet, number, label, message))


def _apply(values: dict, report: RegistryImportReport, by) -> None:
    existing = values.pop("_existing")
    is_person = "id_number" in values
    if existing is None:
        (services.create_person if is_person else services.create_entity)(by, **values)
        report.created += 1
        return
    before = existing.updated_at
    if is_person:
        if not values.get("sex"):
            values.pop("sex", None)
        services.update_person(existing, by, **values)
    else:
        services.update_entity(existing, by, **values)
    if existing.updated_at != before:
        report.changed += 1
    else:
        report.unchanged += 1


def _rows(source, name: str, report) -> tuple[str, list[tuple]]:
    name = name or str(getattr(source, "name", source))
    if Path(name).suffix.lower() == ".csv":
        return "CSV", list(csv.reader(io.StringIO(_decoded(source))))
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        report.errors.append(RowError("", 0, "", f"无法读取 Excel 文件({error})"))
        return "", []
    try:
        sheet = book.worksheets[0]
        return sheet.title, [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _decoded(source) -> str:
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # what Excel in Chinese saves as "CSV"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _code_of(choices, text: str):
    for code, label in choices.choices:
        if text in (code, str(label)):
            return code
    return None


def _label(columns: dict, field: str) -> str:
    return next((label for label, key in columns.items() if key == field), field)
