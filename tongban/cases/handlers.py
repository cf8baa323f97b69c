"""Signal receivers of the cases app (connected in ``CasesConfig.ready``).

Acceptance starts the case's workflow: the ``accept`` event is saved inside the transaction
of ``services.accept``, so the case's status and its process start commit together.
"""

from django.db.models.signals import post_save

from tongban.cases.models import CaseEvent


def start_process_on_accept(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    if not created or instance.verb != "accept" or kwargs.get("raw"):
        return
    from tongban.cases import flow

    flow.start_process(instance.case, by=instance.actor)


def connect() -> None:
    from tongban.cases import guides
    from tongban.catalog.models import Guide
    from tongban.catalog.signals import guide_published

    guide_published.connect(guides.forget, sender=Guide, dispatch_uid="cases.guides.forget")
    post_save.connect(
        start_process_on_accept, sender=CaseEvent, dispatch_uid="cases.start_process_on_accept"
    )
