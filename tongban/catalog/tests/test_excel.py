"""Excel export and import of the whole catalog (catalog.excel and its two commands)."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from tongban.audit.models import AuditRecord
from tongban.catalog import excel
from tongban.catalog.documents import item_document
from tongban.catalog.excel import ImportRejected, export_catalog, import_catalog
from tongban.catalog.models import Guide, MaterialSpec, ProcessStep, ServiceItem
from tongban.catalog.tests.factories import BaseItemFactory, published_item
from tongban.errors import InvalidInput
from tongban.org.tests.factories import DepartmentFactory, TownCenterFactory, WindowFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "申请表",
    "fields": [
        {
            "key": "name",
            "type": "text",
            "label": "申请人姓名",
            "required": True,
            "prefill": "registry.person.name",
        },
        {
            "key": "kind",
            "type": "select",
            "label": "类型",
            "options": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}],
        },
        {
            "key": "note",
            "type": "textarea",
            "label": "说明",
            "visible_if": {"field": "kind", "equals": "b"},
        },
    ],
}


@pytest.fixture
def catalog():
    """Five published items; the first uses every kind of value an export must carry."""
    town = TownCenterFactory()
    window = WindowFactory()
    joint = DepartmentFactory(code="joint-dept")
    rich = published_item(
        name="食品经营许可(=新办)",
        acceptance_conditions="第一行\r\n第二行\n_x000D_ 字面文本\t制表",
        charges_fee=True,
        fee_basis="《收费标准》",
        fee_standard="每件 10 元",
        online_payment=True,
        faq=[{"q": "能网上办吗?", "a": "能。"}, {"q": "要几天?", "a": "10 个工作日"}],
        form_schema=FORM,
        topics=["permits", "business_start"],
        online_flags=[1, 2, 3, 4],
        windows=[window],
        joint_departments=[joint],
        city_wide=True,
        keywords="  前后空格  ",
        materials=[
            {
                "name": "营业执照",
                "source": "government",
                "source_note": "市场监管部门",
                "copies": 2,
                "medium": "electronic",
                "requirement": "conditional",
                "condition": "已办理营业执照的",
                "license_type_code": "11100000000013338W032",
                "shared_data_item": "",
                "notes": "",
            }
        ],
        points=[{"center": town, "mode": "entrusted"}],
    )
    service = published_item(
        name="测试事项0", base_item=BaseItemFactory(item_type="20"), statutory_days=None
    )
    others = [published_item(name=f"测试事项{n}") for n in range(1, 4)]
    return [rich, service, *others]


def export_book(items=None) -> io.BytesIO:
    stream = io.BytesIO()
    export_catalog(stream, items)
    stream.seek(0)
    return stream


def cell_values(stream) -> dict:
    stream.seek(0)
    book = openpyxl.load_workbook(stream, read_only=True)
    values = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    book.close()
    stream.seek(0)
    return values


def documents() -> dict:
    return {
        item.implementation_code: item_document(item)
        for item in ServiceItem.objects.order_by("implementation_code")
    }


def counts() -> dict:
    return {
        "items": ServiceItem.objects.count(),
        "guides": Guide.objects.count(),
        "steps": ProcessStep.objects.count(),
        "materials": MaterialSpec.objects.count(),
        "audit": AuditRecord.objects.count(),
    }


class Book:
    """A workbook opened for editing by column key: ``book.set("事项", 3, "guide.name", "x")``."""

    def __init__(self, stream):
        stream.seek(0)
        self.book = openpyxl.load_workbook(stream)

    def column(self, sheet: str, key: str) -> int:
        keys = [c.value for c in self.book[sheet][2]]
        return keys.index(key) + 1

    def get(self, sheet: str, row: int, key: str):
        return self.book[sheet].cell(row, self.column(sheet, key)).value

    def set(self, sheet: str, row: int, key: str, value) -> None:
        self.book[sheet].cell(row, self.column(sheet, key)).value = value

    def row_of(self, sheet: str, code: str) -> int:
        column = self.column(sheet, "implementation_code")
        for row in range(3, self.book[sheet].max_row + 1):
            if self.book[sheet].cell(row, column).value == code:
                return row
        raise KeyError(code)

    def save(self) -> io.BytesIO:
        stream = io.BytesIO()
        self.book.save(stream)
        stream.seek(0)
        return stream


def rejected(stream) -> excel.ImportReport:
    with pytest.raises(ImportRejected) as caught:
        import_catalog(stream)
    return caught.value.report


# --- export -----------------------------------------------------------------------------


def test_every_sheet_has_unique_headers_and_keys():
    for columns in excel.SHEET_COLUMNS.values():
        assert len({c.label for c in columns}) == len(columns)
        assert len({c.key for c in columns}) == len(columns)


def test_export_writes_the_five_sheets_with_a_hidden_key_row(catalog):
    stream = export_book()
    book = openpyxl.load_workbook(stream)
    assert book.sheetnames == ["事项", "办理流程", "申请材料", "下沉受理点", "说明"]
    items = book["事项"]
    assert items["A1"].value == "实施编码" and items["A2"].value == "implementation_code"
    assert items.row_dimensions[2].hidden
    assert items.max_row == 2 + len(catalog)
    assert book["办理流程"].max_row == 2 + 3 * len(catalog)
    legend = [row for row in book["说明"].iter_rows(values_only=True)]
    assert any(row[2] == "guide.case_type" and "promised 承诺件" in row[4] for row in legend)


def test_export_writes_codes_lists_and_json_exactly(catalog):
    book = Book(export_book())
    row = book.row_of("事项", catalog[0].implementation_code)
    assert book.get("事项", row, "guide.case_type") == "promised"
    assert book.get("事项", row, "guide.charges_fee") == "是"
    assert book.get("事项", row, "guide.topics") == "permits；business_start"
    assert book.get("事项", row, "guide.online_flags") == "1；2；3；4"
    assert book.get("事项", row, "guide.statutory_days") == 20
    service_row = book.row_of("事项", catalog[1].implementation_code)
    assert book.get("事项", service_row, "guide.statutory_days") is None
    assert book.get("事项", service_row, "base.item_type") == "20"
    assert book.get("事项", row, "guide.form_schema").startswith('{"title": "申请表"')
    assert book.get("事项", row, "guide.name") == "食品经营许可(=新办)"
    assert book.get("事项", row, "guide.acceptance_conditions").startswith("第一行_x000D_\n")
    point_row = book.row_of("下沉受理点", catalog[0].implementation_code)
    assert book.get("下沉受理点", point_row, "mode") == "entrusted"


def test_a_formula_lookalike_is_written_as_text(catalog):
    published_item(name='=HYPERLINK("http://x")')
    book = openpyxl.load_workbook(export_book())
    cells = [
        c for row in book["事项"].iter_rows() for c in row if c.value == '=HYPERLINK("http://x")'
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_export_leaves_out_inactive_items_and_items_without_a_version_in_force(catalog):
    ServiceItem.objects.filter(pk=catalog[1].pk).update(is_active=False)
    exported = {row[0] for row in cell_values(export_book())["事项"][2:]}
    assert exported == {item.implementation_code for item in catalog} - {
        catalog[1].implementation_code
    }


# --- round trip -------------------------------------------------------------------------


def test_export_then_import_changes_nothing_and_exports_the_same_workbook(catalog):
    first = export_book()
    before_docs, before_counts = documents(), counts()

    report = import_catalog(first)

    assert report.ok and report.items == 5 and report.unchanged == 5
    assert (report.created, report.changed) == (0, 0)
    assert documents() == before_docs
    assert counts() == before_counts
    assert cell_values(export_book()) == cell_values(first)


def test_an_exported_item_imported_under_a_new_code_is_created_identical(catalog):
    book = Book(export_book([catalog[0]]))
    old = catalog[0].implementation_code
    for sheet in ("事项", "办理流程", "申请材料", "下沉受理点"):
        for row in range(3, book.book[sheet].max_row + 1):
            book.set(sheet, row, "implementation_code", "11610124NEW0000001")

    report = import_catalog(book.save())

    assert (report.created, report.changed, report.unchanged) == (1, 0, 0)
    new = item_document(ServiceItem.objects.get(implementation_code="11610124NEW0000001"))
    expected = item_document(ServiceItem.objects.get(implementation_code=old))
    assert {**new, "implementation_code": old} == expected


def test_a_changed_row_publishes_a_new_version_and_the_old_stays_readable(catalog):
    book = Book(export_book())
    item = catalog[2]
    book.set("事项", book.row_of("事项", item.implementation_code), "guide.name", "改名后的事项")

    report = import_catalog(book.save(), by="excel-import")

    assert (report.changed, report.unchanged) == (1, 4)
    item.refresh_from_db()
    assert item.current_guide.name == "改名后的事项" and item.current_guide.version == 2
    old = item.guides.get(version=1)
    assert old.status == Guide.Status.SUPERSEDED and old.name == "测试事项1"


def test_steps_and_materials_follow_their_order_column_not_their_row_order(catalog):
    book = Book(export_book([catalog[1]]))
    code = catalog[1].implementation_code
    book.set("办理流程", 3, "order", 3)
    book.set("办理流程", 5, "order", 1)

    import_catalog(book.save())

    steps = item_document(ServiceItem.objects.get(implementation_code=code))["steps"]
    assert [s["name"] for s in steps] == ["决定", "审查", "受理"]


def test_choice_columns_also_take_the_chinese_label(catalog):
    book = Book(export_book([catalog[2]]))
    book.set("事项", 3, "guide.service_object", "自然人")
    book.set("事项", 3, "base.item_type", 1)  # Excel turned "01" into a number

    report = import_catalog(book.save())

    assert report.changed == 1
    item = ServiceItem.objects.get(pk=catalog[2].pk)
    assert item.current_guide.service_object == "person"
    assert item.base_item.item_type == "01"


def test_dry_run_checks_and_writes_nothing(catalog):
    book = Book(export_book())
    book.set("事项", 3, "guide.name", "改名")
    before = counts()

    report = import_catalog(book.save(), dry_run=True)

    assert report.ok and report.dry_run and report.items == 5
    assert counts() == before


def test_progress_is_reported_for_each_stage(catalog):
    seen = []
    import_catalog(export_book(), progress=lambda stage, done, total: seen.append(stage))
    assert {"read", "check", "apply"} <= set(seen)


# --- bad files --------------------------------------------------------------------------


def test_a_file_with_three_bad_rows_reports_exactly_three_rows_and_changes_nothing(catalog):
    book = Book(export_book())
    book.set("事项", 3, "guide.promised_days", "十天")
    book.set("事项", 5, "department", "no-such-dept")
    book.set("办理流程", 4, "days", -1)
    book.set("事项", 6, "guide.name", "这一行是对的,但也不能写入")
    before_docs, before_counts = documents(), counts()

    report = rejected(book.save())

    assert report.bad_rows == [("事项", 3), ("事项", 5), ("办理流程", 4)]
    assert documents() == before_docs
    assert counts() == before_counts


def test_every_error_names_sheet_row_column_and_reason_in_chinese(catalog):
    book = Book(export_book())
    book.set("事项", 3, "guide.promised_days", "十天")

    report = rejected(book.save())

    (error,) = report.errors
    assert (error.sheet, error.row, error.column) == ("事项", 3, "承诺办结时限(工作日)")
    assert str(error) == "事项 第3行「承诺办结时限(工作日)」:应为整数 / must be a whole number"


def test_an_unknown_department_code_is_reported_on_its_row(catalog):
    book = Book(export_book())
    book.set("事项", 4, "department", "no-such-dept")

    report = rejected(book.save())

    (error,) = report.errors
    assert (error.sheet, error.row, error.column) == ("事项", 4, "实施部门代码")
    assert "no-such-dept" in error.message


def test_consistency_rule_violations_are_reported_per_row(catalog):
    book = Book(export_book())
    book.set("事项", 3, "guide.promised_days", 0)  # 0 = 即办, but the case type says 承诺件
    book.set("事项", 6, "guide.promised_days", 0)

    report = rejected(book.save())

    assert report.bad_rows == [("事项", 3), ("事项", 6)]
    messages = [e.message for e in report.errors if e.row == 3]
    assert any("即办一致性" in m for m in messages)


def test_a_licensing_time_limit_breach_is_reported_on_the_item_row(catalog):
    book = Book(export_book([catalog[2]]))
    book.set("办理流程", 4, "days", 30)  # Σ steps 32 > promised 10

    report = rejected(book.save())

    assert {e.sheet for e in report.errors} == {"事项"}
    assert any("许可时限递进" in e.message for e in report.errors)


def test_a_wrong_header_key_is_reported_and_nothing_is_read(catalog):
    book = Book(export_book())
    book.set("事项", 2, "guide.case_type", "guide.casetype")

    report = rejected(book.save())

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("事项", 2, "办件类型"),
        ("事项", 2, "办件类型"),
    ]
    assert "无法识别,应为 guide.case_type" in report.errors[0].message
    assert "缺少此列" in report.errors[1].message


def test_a_sheet_without_its_key_row_is_reported_once(catalog):
    book = Book(export_book())
    book.book["办理流程"].delete_rows(2)

    report = rejected(book.save())

    (error,) = report.errors
    assert (error.sheet, error.row) == ("办理流程", 2)
    assert error.message.startswith("第2行应为字段代码")


def test_a_missing_sheet_is_reported(catalog):
    book = Book(export_book())
    del book.book["申请材料"]

    report = rejected(book.save())

    assert [(e.sheet, e.row, e.message[:6]) for e in report.errors] == [
        ("申请材料", 0, "缺少此工作表")
    ]


def test_a_file_that_is_not_a_workbook_is_refused():
    report = rejected(io.BytesIO(b"not a workbook"))
    assert "无法读取 Excel 文件" in report.errors[0].message


def test_rows_of_an_unknown_item_and_duplicate_orders_are_reported(catalog):
    book = Book(export_book())
    book.set("办理流程", 3, "implementation_code", "NO-SUCH-ITEM")
    book.set("申请材料", 5, "order", 1)

    report = rejected(book.save())

    assert report.bad_rows == [("办理流程", 3), ("申请材料", 5)]
    messages = {(e.sheet, e.row): e.message for e in report.errors}
    assert "NO-SUCH-ITEM 不在“事项”表中" in messages[("办理流程", 3)]
    assert "与第4行的顺序重复" in messages[("申请材料", 5)]


def test_a_duplicate_implementation_code_is_reported_on_the_second_row(catalog):
    book = Book(export_book(catalog[:2]))
    book.set("事项", 4, "implementation_code", catalog[0].implementation_code)

    report = rejected(book.save())

    first = report.errors[0]
    assert (first.sheet, first.row, first.column) == ("事项", 4, "实施编码")
    assert "与第3行重复" in first.message


def test_unreadable_cells_of_each_kind_are_reported(catalog):
    book = Book(export_book([catalog[1]]))
    book.set("事项", 3, "guide.city_wide", "也许")
    book.set("事项", 3, "guide.case_type", "快办件")
    book.set("事项", 3, "guide.faq", "[{q: 1}")
    book.set("事项", 3, "effective_from", "2026年1月1日")
    book.set("事项", 3, "guide.online_flags", "1；二")

    report = rejected(book.save())

    by_column = {e.column: e.message for e in report.errors}
    assert by_column["全市通办"].startswith("应填写“是”或“否”")
    assert by_column["办件类型"].startswith("可选值:instant(即办件)、promised(承诺件)")
    assert by_column["常见问题"].startswith("不是有效的 JSON")
    assert by_column["生效日期"].startswith("日期应为 YYYY-MM-DD")
    assert by_column["网上办理环节"].startswith("应为以“；”分隔的数字")
    assert report.bad_rows == [("事项", 3)]


def test_an_error_in_a_material_row_points_at_that_row_and_column(catalog):
    book = Book(export_book())
    row = book.row_of("申请材料", catalog[0].implementation_code)
    book.set("申请材料", row, "source", "bogus")

    report = rejected(book.save())

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [("申请材料", row, "来源渠道")]


def test_an_unknown_center_is_reported_on_the_acceptance_point_row(catalog):
    book = Book(export_book())
    row = book.row_of("下沉受理点", catalog[0].implementation_code)
    book.set("下沉受理点", row, "center", "999999999")

    report = rejected(book.save())

    assert [(e.sheet, e.row, e.column) for e in report.errors] == [
        ("下沉受理点", row, "服务中心统计代码")
    ]


def test_a_wrong_form_definition_is_reported_with_its_path(catalog):
    book = Book(export_book([catalog[1]]))
    book.set(
        "事项", 3, "guide.form_schema", '{"fields": [{"key": "a", "type": "bogus", "label": "甲"}]}'
    )

    report = rejected(book.save())

    (error,) = report.errors
    assert (error.row, error.column) == (3, "申请表单定义")
    assert error.message.startswith("fields[0].type:字段类型“bogus”无效")


# --- commands ---------------------------------------------------------------------------


def test_the_commands_export_and_import_with_a_chinese_summary(catalog, tmp_path):
    path = tmp_path / "catalog.xlsx"
    out, err = io.StringIO(), io.StringIO()
    call_command("export_catalog", str(path), stdout=out, stderr=err)
    assert "已导出 5 个事项" in out.getvalue()

    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out, stderr=err)
    assert "导入完成:共 5 个事项,新增 0 个,更新 0 个,未变化 5 个" in out.getvalue()


def test_the_import_command_dry_run_writes_nothing(catalog, tmp_path):
    path = tmp_path / "catalog.xlsx"
    book = Book(export_book())
    book.set("事项", 3, "guide.name", "改名")
    path.write_bytes(book.save().getvalue())
    before = counts()

    out = io.StringIO()
    call_command("import_catalog", str(path), "--dry-run", stdout=out, stderr=io.StringIO())

    assert "试运行" in out.getvalue()
    assert counts() == before


def test_the_import_command_fails_and_prints_every_bad_row(catalog, tmp_path):
    path = tmp_path / "bad.xlsx"
    book = Book(export_book())
    book.set("事项", 3, "guide.promised_days", "十天")
    book.set("事项", 5, "department", "no-such-dept")
    path.write_bytes(book.save().getvalue())
    err = io.StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=err)

    assert "2 行有误" in str(caught.value)
    assert "事项 第3行「承诺办结时限(工作日)」:应为整数" in err.getvalue()
    assert "事项 第5行「实施部门代码」" in err.getvalue()


def test_a_failure_while_writing_rolls_back_every_item(catalog, monkeypatch):
    book = Book(export_book())
    for row in range(3, 8):
        book.set("事项", row, "guide.name", f"改名{row}")
    stream = book.save()
    real = excel.documents.apply_document
    calls = []

    def apply_then_fail(doc, *, by):
        calls.append(doc["implementation_code"])
        if len(calls) == 3:
            raise InvalidInput(fields={"guide.name": ["写入时发现的问题"]})
        return real(doc, by=by)

    monkeypatch.setattr(excel.documents, "apply_document", apply_then_fail)
    before_docs, before_counts = documents(), counts()

    report = rejected(stream)

    assert [(e.sheet, e.row, e.column, e.message) for e in report.errors] == [
        ("事项", 5, "事项名称", "写入时发现的问题")
    ]
    assert documents() == before_docs
    assert counts() == before_counts


def test_the_progress_bar_redraws_on_a_terminal_and_prints_finished_stages_otherwise():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    from django.core.management.base import OutputWrapper

    from tongban.catalog.management.commands.import_catalog import ProgressBar

    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        bar = ProgressBar(OutputWrapper(stream))
        bar("check", 5, 10)
        bar("check", 10, 10)
        bar("apply", 10, 10)
        bar.finish()
    assert "\r检查 [" + "#" * 15 + " " * 15 + "] 5/10" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r写入 [" + "#" * 30 + "] 10/10\n")
    assert log.getvalue() == "检查 10/10\n写入 10/10\n"
