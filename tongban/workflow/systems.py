"""System tasks: BPMN user tasks a platform app does instead of a person.

A task marked ``<camunda:property name="system" value="payments" />`` waits until the app
that registered ``payments`` calls ``services.complete_system`` (the order is paid). Apps
register their name in ``AppConfig.ready``; an upload naming an unregistered system is
refused, so no task can wait for an app that does not exist.
"""

_systems: dict[str, str] = {}


def register(name: str, label: str) -> None:
    """``label``: what the task waits for, in Chinese (shown with the case)."""
    _systems[name] = label


def known() -> dict[str, str]:
    return dict(_systems)
