"""Access rules of the metrics app: the ledger's and the dashboard's."""

from tongban.metrics import indicator_rules, ledger_rules  # noqa: F401
