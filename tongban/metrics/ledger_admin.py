"""Admin of the ledger."""
