"""Signal receivers of the archives app (connected in ``ArchivesConfig.ready``).

A concluded case is archived in the background: the receiver only queues the task, so the
conclusion (already committed when ``case_concluded`` is sent) never waits on the build.
"""

from tongban.cases.signals import case_concluded


def archive_on_conclusion(sender, case_pk: int, result_type: str = "", **kwargs) -> None:
    from tongban.archives import tasks

    tasks.build_archive.enqueue(case_pk)


def connect() -> None:
    case_concluded.connect(archive_on_conclusion, dispatch_uid="archives.archive_on_conclusion")
