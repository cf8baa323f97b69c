"""The admin: catalog administrators upload process files; instances and tasks read-only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tongban.audit.models import AuditRecord
from tongban.identity.tests.helpers import verified_login
from tongban.org.tests.factories import staff_with_role
from tongban.workflow import services
from tongban.workflow.models import ProcessDefinition
from tongban.workflow.tests.factories import Role, office

pytestmark = pytest.mark.django_db
FILES = Path(__file__).resolve().parent / "files"
ADD = reverse("admin:workflow_processdefinition_add")


@pytest.fixture
def manager(client):
    user = staff_with_role(Role.CATALOG_ADMIN)
    verified_login(client, user)
    return user


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/xml")


def test_upload_page_deploys_a_modeler_file_with_its_dmn(client, manager):
    assert client.get(ADD).status_code == 200
    bpmn = (FILES / "camunda_modeler_export.bpmn").read_bytes()
    dmn = (services.PROCESSES / "approval_suggestion.dmn").read_bytes()
    response = client.post(
        ADD,
        {
            "key": "sole-trader",
            "name": "个体工商户设立登记",
            "bpmn_file": upload("p.bpmn", bpmn),
            "dmn_file": upload("d.dmn", dmn),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    definition = ProcessDefinition.objects.get(key="sole-trader")
    assert (definition.version, definition.uploaded_by) == (1, manager)
    assert AuditRecord.objects.filter(action="workflow.definition.deploy").count() == 1
    page = client.get(reverse("admin:workflow_processdefinition_change", args=[definition.pk]))
    assert page.status_code == 200


def test_a_bad_upload_shows_the_problems_and_stores_nothing(client, manager):
    response = client.post(
        ADD, {"key": "bad", "name": "坏文件", "bpmn_file": upload("p.bpmn", b"<html/>")}
    )
    assert response.status_code == 200
    assert "不是 BPMN 2.0 文件" in response.content.decode()
    assert not ProcessDefinition.objects.exists()


def test_instances_and_tasks_are_read_only(client, manager):
    window = office()
    instance = services.start(
        services.template("instant"), subject="cases.Case:1", departments=window.department
    )
    for name in ("processinstance", "task"):
        assert client.get(reverse(f"admin:workflow_{name}_changelist")).status_code == 200
    page = client.get(reverse("admin:workflow_processinstance_change", args=[instance.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_a_clerk_cannot_upload(client):
    verified_login(client, staff_with_role(Role.CLERK))
    assert client.get(ADD).status_code == 403
