"""Access rules of the indicators and the dashboard.

The self-evaluation dashboard, its exports, the report and the indicators API are for the
leaders' office: accounts whose roles carry ``metrics.view_dashboard`` (supervisors). People
and clerks are refused.
"""

from tongban.identity import access


def _staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.kind == user.Kind.STAFF


@access.rule("metrics.view_dashboard")
def view_dashboard(user, obj=None) -> bool:
    return _staff(user) and access.holds(user, "metrics.view_dashboard")
