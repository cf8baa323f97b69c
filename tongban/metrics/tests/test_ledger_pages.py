"""The ledger pages and API: the supervision view, a task, the report form, the export."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tongban.identity.tests.helpers import verified_login
from tongban.metrics import ledger
from tongban.metrics.models import LedgerTask
from tongban.metrics.tests import test_ledger as base
from tongban.org.tests.factories import DepartmentFactory, staff_with_role

pytestmark = pytest.mark.django_db
PDF, Role, at, task = base.PDF, base.Role, base.at, base.task
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32  # the evidence's bytes must be what it claims
# The services tests' fixtures: the county's departments, the plan loaded, a temporary MEDIA_ROOT.
units, loaded, media = base.units, base.loaded, base.media


def signed_in(role: str, department=None) -> Client:
    client = Client()
    verified_login(client, staff_with_role(role, department=department or DepartmentFactory()))
    return client


def test_the_supervision_view_lists_every_task_with_overdue_and_due_soon_marked(loaded):
    client = signed_in(Role.SUPERVISOR)
    with at(2022, 9, 20):
        page = client.get(reverse("metrics:ledger"))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('<tr class="overdue">') == 1  # task 23
    assert text.count('<tr class="due-soon">') == 3  # tasks 3, 7 and 20 (end of September)
    assert "打造工程建设项目审批系统4.0版本" in text and "县行政审批局、县住建局" in text


def test_the_supervision_view_filters_by_unit(loaded):
    page = signed_in(Role.SUPERVISOR).get(reverse("metrics:ledger"), {"unit": "housing"})
    text = page.content.decode()
    assert "打造工程建设项目审批系统4.0版本" in text
    assert "统一政务服务事项管理标准" not in text


def test_the_export_is_a_workbook_of_the_filtered_tasks(loaded):
    client = signed_in(Role.SUPERVISOR)
    with at(2022, 9, 20):
        response = client.get(reverse("metrics:ledger_export"), {"overdue": "yes"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("序号", "任务类别", "任务名称")
    assert [row[0] for row in rows[1:]] == [23]
    assert rows[1][5] == datetime.datetime(2022, 8, 31) and rows[1][8] == "已逾期"


def test_a_unit_administrator_reports_from_the_task_page(loaded, units):
    client = signed_in(Role.DEPT_ADMIN, units["housing"])
    url = reverse("metrics:ledger_task", args=[16])
    page = client.get(url)
    assert page.status_code == 200 and "报送进展" in page.content.decode()
    form = reverse("metrics:ledger_report", args=[16])
    upload = SimpleUploadedFile("照片.png", PNG, content_type="image/png")
    sent = client.post(form, {"content": "已完成联审模块", "progress": "70", "files": [upload]})
    assert sent.status_code == 302
    shown = client.get(url).content.decode()
    assert "已完成联审模块" in shown and "照片.png" in shown
    evidence = task(16).reports.get().evidence.get()
    download = client.get(reverse("metrics:ledger_evidence", args=[16]), {"id": evidence.pk})
    assert download.status_code == 200 and download.content == PNG
    assert task(16).status == LedgerTask.Status.IN_PROGRESS


def test_a_bad_report_shows_the_form_again(loaded, units):
    client = signed_in(Role.DEPT_ADMIN, units["housing"])
    sent = client.post(
        reverse("metrics:ledger_report", args=[16]), {"content": "", "progress": "7"}
    )
    assert sent.status_code == 400
    assert "请填写进展情况" in sent.content.decode()


def test_other_units_neither_see_nor_report_a_task(loaded, units):
    client = signed_in(Role.DEPT_ADMIN, units["taxation"])
    assert client.get(reverse("metrics:ledger_task", args=[16])).status_code == 404
    assert client.get(reverse("metrics:ledger_report", args=[16])).status_code == 404
    listing = client.get(reverse("metrics:ledger")).content.decode()
    assert "打造工程建设项目审批系统4.0版本" not in listing


def test_a_supervisor_reads_but_does_not_report(loaded):
    client = signed_in(Role.SUPERVISOR)
    page = client.get(reverse("metrics:ledger_task", args=[16]))
    assert page.status_code == 200 and "报送进展</a>" not in page.content.decode()
    assert client.get(reverse("metrics:ledger_report", args=[16])).status_code == 404


def test_staff_without_the_ledger_are_refused_and_others_sent_to_sign_in(loaded):
    assert signed_in(Role.CLERK).get(reverse("metrics:ledger")).status_code == 403
    assert Client().get(reverse("metrics:ledger")).status_code == 302


def test_the_api_lists_and_shows_tasks(loaded, units):
    ledger.report_progress(
        task(16),
        by=staff_with_role(Role.DEPT_ADMIN, department=units["housing"]),
        content="进行中",
        progress=40,
        files=[SimpleUploadedFile("a.pdf", PDF)],
    )
    client = signed_in(Role.SUPERVISOR)
    with at(2022, 9, 20):
        listing = client.get("/api/v1/metrics/ledger", {"limit": 30}).json()
        late = client.get("/api/v1/metrics/ledger", {"overdue": "true"}).json()
        shown = client.get("/api/v1/metrics/ledger/16").json()
        missing = client.get("/api/v1/metrics/ledger/99")
    assert len(listing["results"]) == 25 and listing["next_cursor"] is None
    first = listing["results"][0]
    assert first["lead_units"][0]["code"] == "approval" and first["deadline"] == "2022-10-31"
    assert [row["number"] for row in late["results"]] == [23]
    assert shown["status"] == "in_progress" and shown["progress"] == 40
    assert shown["reports"][0]["evidence"][0]["name"] == "a.pdf"
    assert missing.status_code == 404


def test_the_api_answers_unit_administrators_for_their_units_only(loaded, units):
    client = signed_in(Role.DEPT_ADMIN, units["housing"])
    numbers = [r["number"] for r in client.get("/api/v1/metrics/ledger").json()["results"]]
    assert numbers == [15, 16, 17, 20]
    assert client.get("/api/v1/metrics/ledger/1").status_code == 404
    assert signed_in(Role.CLERK).get("/api/v1/metrics/ledger").status_code == 403
    assert Client().get("/api/v1/metrics/ledger").status_code == 401


def test_the_list_asks_a_fixed_number_of_queries(loaded, django_assert_max_num_queries):
    client = signed_in(Role.SUPERVISOR)
    client.get("/api/v1/metrics/ledger", {"limit": 5})
    with django_assert_max_num_queries(14):
        assert len(client.get("/api/v1/metrics/ledger", {"limit": 25}).json()["results"]) == 25


def test_a_supervisor_changes_a_deadline_in_the_admin_and_it_is_audited(loaded, units):
    from tongban.audit.models import AuditRecord

    client = signed_in(Role.SUPERVISOR)
    found = task(23)
    url = reverse("admin:metrics_ledgertask_change", args=[found.pk])
    assert client.get(url).status_code == 200
    sent = client.post(
        url,
        {
            "plan": found.plan,
            "number": found.number,
            "section": found.section,
            "title": found.title,
            "content": found.content,
            "lead_text": found.lead_text,
            "responsible_text": found.responsible_text,
            "lead_units": [units["approval"].pk],
            "responsible_units": [],
            "deadline": "2022-09-30",
        },
    )
    assert sent.status_code == 302
    assert task(23).deadline == datetime.date(2022, 9, 30)
    record = AuditRecord.objects.get(action="metrics.ledgertask.change")
    assert record.changes["deadline"] == ["2022-08-31", "2022-09-30"]


def test_a_unit_administrator_reads_but_does_not_change_in_the_admin(loaded, units):
    client = signed_in(Role.DEPT_ADMIN, units["housing"])
    assert (
        client.get(reverse("admin:metrics_ledgertask_change", args=[task(16).pk])).status_code
        == 200
    )
    sent = client.post(reverse("admin:metrics_ledgertask_change", args=[task(16).pk]), {})
    assert sent.status_code == 403
