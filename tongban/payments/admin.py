"""Admin of payment orders and callbacks; the finance models' admin is in ``finance_admin``."""

from tongban.payments import finance_admin  # noqa: F401
