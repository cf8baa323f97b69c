"""The applicant's case list costs the same number of queries for 2 rows as for 12: found
under load (docs/load.md), where each row's item was read by a query of its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases.models import Case
from tongban.cases.tests.factories import applicant_person, form_item

pytestmark = pytest.mark.django_db


def _file(person, items, count: int, start: int) -> None:
    Case.objects.bulk_create(
        Case(
            number=f"61012420260101{start + n:08d}",
            item=items[n % len(items)],
            guide_id=items[n % len(items)].current_guide_id,
            applicant=person,
            applicant_name="王小明",
            channel="web",
            status="submitted",
            department_id=items[n % len(items)].department_id,
        )
        for n in range(count)
    )


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", ["/api/v1/cases", "/my/cases/"])
def test_my_cases_list_reads_no_row_by_row(client, path):
    items, person = [form_item(), form_item()], applicant_person()
    client.force_login(person)
    _file(person, items, 2, 0)
    _queries(client, path)  # the first request of a session does more (its renewal)
    few = _queries(client, path)
    _file(person, items, 10, 100)
    many = _queries(client, path)
    assert many == few
