"""The licensing list: the licensing items in force, as a page and as an Excel file."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from tongban.catalog import licensing, services
from tongban.catalog.tests.factories import BaseItemFactory, draft_item, published_item
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    market = DepartmentFactory(name="周至县市场监督管理局", sort_order=1)
    listed = published_item(
        department=market,
        base_item=BaseItemFactory(name="食品经营许可", base_code="000123456000"),
        name="食品经营许可",
        max_visits=0,
        visit_reason="",
        online_depth=4,
        apply_ways=["online"],
    )
    published_item(base_item=BaseItemFactory(item_type="20"), name="公共服务事项")
    draft_item(name="未发布的许可")
    retired = published_item(name="已停用的许可")
    services.update_item(retired, by=None, is_active=False)
    return listed


def test_only_licensing_items_in_force_and_in_use_are_listed(catalog):
    assert licensing.published_licensing_items() == [catalog]


def test_the_page_lists_each_item_with_its_department_and_limits(client, catalog):
    response = client.get("/licensing-list")
    assert response.status_code == 200
    text = response.text
    assert "行政许可事项清单" in text
    assert "周至县市场监督管理局" in text
    assert f'href="/items/{catalog.implementation_code}/"' in text
    assert "10 个工作日" in text
    assert "已停用的许可" not in text and "公共服务事项" not in text
    assert 'data-label="到办事现场次数">0<' in text


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0), tick=False)
def test_the_excel_file_holds_the_same_rows(client, catalog):
    response = client.get("/licensing-list.xlsx")
    assert response["Content-Type"] == licensing.XLSX_TYPE
    assert "licensing-list-2026-03-02.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "周至县行政许可事项清单(2026-03-02)"
    assert values[1][:4] == ("序号", "实施部门", "事项名称", "基本编码")
    assert len(values) == 3
    assert values[2][:5] == (
        1,
        "周至县市场监督管理局",
        "食品经营许可",
        "000123456000",
        catalog.implementation_code,
    )


def test_the_list_reads_a_bounded_number_of_queries(client, catalog, django_assert_max_num_queries):
    for _ in range(10):
        published_item()
    with django_assert_max_num_queries(3):
        assert client.get("/licensing-list").status_code == 200
