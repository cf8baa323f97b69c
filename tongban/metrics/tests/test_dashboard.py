"""The dashboard pages, their Excel exports, the PDF report and the indicators API: who may
open them and what they show."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tongban.identity.tests.helpers import verified_login
from tongban.metrics.tests.test_indicators import make_world
from tongban.org.models import StaffMembership
from tongban.org.tests.factories import UserFactory, staff_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


Role = StaffMembership.Role
API = "/api/v1/metrics/indicators"


@pytest.fixture
def leader(client):
    user = staff_with_role(Role.SUPERVISOR)
    verified_login(client, user)
    return client


def test_dashboard_shows_cards_charts_and_tables(leader, world):
    page = leader.get(reverse("metrics:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "全程网办率" in html and "66.7%" in html
    assert 'id="metrics-bar"' in html and "metrics/echarts.min.js" in html
    assert 'id="metrics-chart-data"' in html
    assert world["tax"].short_name in html
    assert world["town"].division_name in html
    assert "未达标" in html


def test_dashboard_for_a_department(leader, world):
    page = leader.get(reverse("metrics:dashboard"), {"department": world["tax"].code})
    assert page.status_code == 200
    assert "50.0%" in page.content.decode()  # tax: 1 of 2 full online


def test_drill_down_lists_the_items_to_fix(leader, world):
    url = reverse("metrics:indicator_gap", args=["online_full"])
    page = leader.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert world["items"]["b"].implementation_code in html
    assert world["items"]["a"].implementation_code not in html
    assert "2 / 3" in html


def test_drill_down_of_an_unknown_indicator_is_404(leader, world):
    assert leader.get(reverse("metrics:indicator_gap", args=["nope"])).status_code == 404


def test_drill_down_exports_to_excel(leader, world):
    url = reverse("metrics:indicator_gap", args=["instant"])
    answer = leader.get(url, {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    items = world["items"]
    assert codes == {items[k].implementation_code for k in ("b", "c", "d")}


@pytest.mark.parametrize(
    ("name", "first_cell", "rows"),
    [
        ("metrics:export_indicators", "指标代码", 15),
        ("metrics:export_departments", "范围", 2),
        ("metrics:export_towns", "范围", 2),
        ("metrics:export_assessment", "指标", 9),
    ],
)
def test_every_table_exports_to_excel(leader, world, name, first_cell, rows):
    answer = leader.get(reverse(name))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet["A1"].value == first_cell
    assert sheet.max_row - 1 >= rows


def test_report_is_a_pdf(leader, world):
    answer = leader.get(reverse("metrics:report"))
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")


def test_people_and_clerks_are_refused(client, world):
    verified_login(client, staff_with_role(Role.CLERK))
    assert client.get(reverse("metrics:dashboard")).status_code == 403
    assert client.get(reverse("metrics:report")).status_code == 403
    assert client.get(API).status_code == 403
    client.logout()
    client.force_login(UserFactory())
    assert client.get(reverse("metrics:dashboard")).status_code != 200
    assert client.get(API).status_code == 403


def test_api_answers_every_indicator_for_the_county(leader, world):
    answer = leader.get(API)
    assert answer.status_code == 200
    rows = {row["key"]: row for row in answer.json()}
    assert rows["online_full"] == {
        "key": "online_full",
        "name": "全程网办率",
        "value": round(2 / 3, 4),
        "target": 0.85,
        "met": False,
        "numerator": 2,
        "denominator": 3,
    }


def test_api_filters_by_department_and_town(leader, world):
    by_department = {r["key"]: r for r in leader.get(API, {"department": world["tax"].code}).json()}
    assert (
        by_department["online_full"]["numerator"],
        by_department["online_full"]["denominator"],
    ) == (1, 2)
    by_town = {
        r["key"]: r for r in leader.get(API, {"town": world["town"].statistical_code}).json()
    }
    assert by_town["village_proxy"]["denominator"] == 3


def test_api_rejects_an_unknown_department(leader, world):
    assert leader.get(API, {"department": "nope"}).status_code == 404
