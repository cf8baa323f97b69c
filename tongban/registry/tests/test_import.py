import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tongban.audit.models import AuditRecord
from tongban.catalog.excel import ImportRejected
from tongban.org.validators import make_uscc
from tongban.registry import imports, services
from tongban.registry.models import LegalEntity, Person
from tongban.registry.tests.factories import PersonFactory, person_id_number

pytestmark = pytest.mark.django_db

HEADER = ["身份证号码", "姓名", "性别", "户籍地址", "手机号码", "所属区划代码"]


def good(n):
    return [
        person_id_number(100 + n),
        f"张{n}明",
        "男",
        "周至县哑柏镇第一村",
        f"1391234{n:04d}",
        "",
    ]


def workbook(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    book.active.title = "人口"
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "persons.xlsx"
    return data


def test_import_creates_people_from_excel_and_audits_them():
    report = imports.import_persons(workbook([good(1), good(2)]), by="test")
    assert (report.created, report.items) == (2, 2)
    person = services.find_person(person_id_number(101))
    assert person.name == "张1明" and person.phone == "13912340001"
    assert AuditRecord.objects.filter(action="registry.person.create").count() == 2


def test_import_with_three_bad_rows_reports_each_and_changes_nothing():
    existing = PersonFactory(name="原来的名字")
    wrong_check = person_id_number(103)[:17] + ("0" if person_id_number(103)[17] != "0" else "1")
    rows = [
        good(1),
        [wrong_check, "李四", "", "", "", ""],  # row 3
        good(2),
        [person_id_number(104), "", "女", "", "12345", ""],  # row 5: name, sex, phone
        [existing.id_number, "原来的名字改了", "", "", "", ""],  # a valid update
        good(1),  # row 7: duplicate of row 2
    ]
    with pytest.raises(ImportRejected) as rejected:
        imports.import_persons(workbook(rows), by="test")
    report = rejected.value.report
    assert [row for _sheet, row in report.bad_rows] == [3, 5, 7]
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "身份证号码"),
        (5, "姓名"),
        (5, "性别"),
        (5, "手机号码"),
        (7, "身份证号码"),
    } <= found
    assert "身份证号码校验位错误" in str(report.errors)
    assert "3 行有误" in report.summary()
    assert Person.objects.count() == 1
    assert Person.objects.get().name == "原来的名字"


def test_import_reads_csv_in_gb18030_and_updates_existing():
    person = PersonFactory()
    text = ",".join(HEADER) + "\n" + f"{person.id_number.lower()},{person.name},,新地址,,\n"
    data = io.BytesIO(text.encode("gb18030"))
    data.name = "people.csv"
    report = imports.import_persons(data, by="test")
    assert (report.created, report.changed) == (0, 1)
    person.refresh_from_db()
    assert person.address == "新地址"


def test_missing_column_is_reported():
    with pytest.raises(ImportRejected) as rejected:
        imports.import_persons(workbook([], header=["姓名"]))
    assert rejected.value.report.errors[0].column == "身份证号码"


def test_import_entities_command(tmp_path):
    code = make_uscc("N", "2", "610124", "MA00A001")
    path = tmp_path / "entities.csv"
    path.write_text(
        "统一社会信用代码,名称,主体类型,法定代表人,法定代表人身份证号码,注册资本(万元),成立日期\n"
        f"{code},周至县哑柏镇第一村股份经济合作社,村集体经济组织,王建国,{person_id_number(5)},"
        "120.5,2018-06-01\n"
        "91610124MA0000000X,坏代码公司,企业,李四,,abc,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_entities", str(path), stderr=err)
    assert "第3行「统一社会信用代码」" in err.getvalue()
    assert "第3行「注册资本(万元)」" in err.getvalue()
    assert not LegalEntity.objects.exists()
    path.write_text(
        path.read_text(encoding="utf-8").splitlines()[0]
        + "\n"
        + path.read_text(encoding="utf-8").splitlines()[1]
        + "\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_entities", str(path), stdout=out)
    entity = services.find_entity(code)
    assert entity.entity_type == "collective" and str(entity.registered_capital) == "120.5000"
    assert "新增 1 条" in out.getvalue()
