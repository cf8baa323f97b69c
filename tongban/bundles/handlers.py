"""Receivers of the bundles app (connected in ``BundlesConfig.ready``): a child case that
concludes may start the children waiting for its result and end the filing."""

from tongban.cases.signals import case_concluded


def on_case_concluded(sender, *, case_pk: int, **kwargs) -> None:
    from tongban.bundles import services

    services.on_child_concluded(case_pk)


def connect() -> None:
    case_concluded.connect(on_case_concluded, dispatch_uid="bundles.on_case_concluded")
