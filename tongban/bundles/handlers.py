"""Receivers of the bundles app (connected in ``BundlesConfig.ready``): a child case that
ends — concluded with its result, or refused or withdrawn without one — may start the
children waiting for it (or mark them not to be handled) and end the filing."""

from django.db import transaction
from django.db.models.signals import post_save

from tongban.cases.models import CaseEvent
from tongban.cases.signals import case_concluded

# The moves that end a case without a result (conclusion sends ``case_concluded``).
ENDING_VERBS = frozenset({"refuse", "withdraw"})


def on_case_concluded(sender, *, case_pk: int, **kwargs) -> None:
    from tongban.bundles import services

    services.on_child_concluded(case_pk)


def on_case_event(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    if not created or instance.verb not in ENDING_VERBS or kwargs.get("raw"):
        return
    from tongban.bundles import services

    case_pk = instance.case_id
    transaction.on_commit(lambda: services.on_child_concluded(case_pk))


def connect() -> None:
    case_concluded.connect(on_case_concluded, dispatch_uid="bundles.on_case_concluded")
    post_save.connect(on_case_event, sender=CaseEvent, dispatch_uid="bundles.on_case_event")
