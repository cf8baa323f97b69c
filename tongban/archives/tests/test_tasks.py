"""The archives' background work on a backend that can defer (the suite's runs at once)."""

import pytest
from django_tasks import default_task_backend

from tongban.archives import tasks
from tongban.archives.models import ArchivePackage
from tongban.archives.tests.factories import concluded_case
from tongban.cases.models import ResultType

pytestmark = pytest.mark.django_db
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def deferring(settings):
    settings.TASKS = DUMMY
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


def test_a_license_case_waits_for_its_license_then_builds_without_it(deferring, settings):
    settings.ARCHIVES_LICENSE_WAIT_TRIES = 2
    case = concluded_case(ResultType.LICENSE)
    assert tasks.build_archive.call(case.pk) == ""
    [retry] = deferring.results
    assert retry.args == [case.pk, 1] and retry.task.run_after is not None
    assert not ArchivePackage.objects.exists()
    number = tasks.build_archive.call(case.pk, 2)
    assert ArchivePackage.objects.get(case=case).number == number


def test_other_results_are_built_at_once(deferring):
    case = concluded_case(ResultType.DOCUMENT)
    assert tasks.build_archive.call(case.pk)
    assert deferring.results == []


def test_the_fixity_sweep_queues_its_next_run(deferring):
    assert tasks.fixity_sweep.call() == {"checked": 0, "failed": 0}
    [following] = deferring.results
    assert following.task.name == "fixity_sweep" and following.task.run_after is not None


def test_a_starting_worker_queues_the_sweep(deferring):
    from tongban.core.signals import worker_started

    worker_started.send(sender=None)
    assert any(r.task.name == "fixity_sweep" for r in deferring.results)
