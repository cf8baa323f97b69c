"""The audit chain over a real flow: a case filed, accepted, approved twice and concluded with
a license issued; then ``manage.py verify_audit`` verifies every chain, and a record of that
flow changed in the database is named. (The chain's own cases: tongban/audit/tests.)"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tongban.audit.models import AuditRecord
from tongban.cases.tests.factories import form_item
from tongban.licenses.models import License
from tongban.licenses.tests.factories import bound_type, concluded_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(django_capture_on_commit_callbacks):
    item = form_item()
    bound_type(item, validity_years=5)
    with django_capture_on_commit_callbacks(execute=True):
        case = concluded_case(item)
    assert License.objects.filter(case=case).exists()


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_verify_audit_checks_every_chain_a_flow_wrote(flow):
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    chains = AuditRecord.objects.values("partition").distinct().count()

    output = verify()

    assert {"cases.case.submit", "cases.case.accept", "cases.case.approve"} <= actions
    assert {"cases.case.conclude", "licenses.license.issue"} <= actions
    assert "审计链完好 / all chains intact" in output
    assert f"records checked: {AuditRecord.objects.count()}" in output
    assert chains > 1  # the flow's records spread over several partitions, all walked


def test_a_changed_record_of_the_flow_is_caught(flow):
    record = AuditRecord.objects.filter(action="licenses.license.issue").get()
    with connection.cursor() as cursor:  # the model refuses changes: straight to the table
        cursor.execute("UPDATE audit_auditrecord SET note = %s WHERE id = %s", ["改过", record.pk])

    with pytest.raises(CommandError, match="audit chain broken"):
        verify()
