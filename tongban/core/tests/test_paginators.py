"""EstimatedCountPaginator: PostgreSQL's estimate for a whole big table, exact otherwise."""

import pytest
from django.db import connection

from tongban.cases.models import Case
from tongban.core import paginators
from tongban.core.paginators import EstimatedCountPaginator
from tongban.org.tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_small_or_filtered_tables_are_counted_exactly():
    DepartmentFactory.create_batch(3)
    from tongban.org.models import Department

    assert EstimatedCountPaginator(Department.objects.all(), 2).count == 3
    assert EstimatedCountPaginator(Department.objects.filter(pk=-1), 2).count == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reltuples is PostgreSQL's")
def test_a_whole_big_table_takes_the_estimate(monkeypatch, django_assert_num_queries):
    DepartmentFactory.create_batch(3)
    from tongban.org.models import Department

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE org_department")
    DepartmentFactory.create_batch(2)  # not analysed yet: the estimate still says 3
    monkeypatch.setattr(paginators, "EXACT_BELOW", 1)
    with django_assert_num_queries(1):
        assert EstimatedCountPaginator(Department.objects.all(), 2).count == 3
    assert EstimatedCountPaginator(Department.objects.filter(pk__gt=0), 2).count == 5
    assert EstimatedCountPaginator(Case.objects.filter(status="x"), 2).count == 0
