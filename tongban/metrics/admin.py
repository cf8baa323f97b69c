"""Admin of the metrics app: the ledger (``ledger_admin``)."""

from tongban.metrics import ledger_admin  # noqa: F401
