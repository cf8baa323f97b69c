"""Admin of refunds, statements, reconciliations and discrepancies (finance staff)."""
