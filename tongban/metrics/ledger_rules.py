"""Access rules of the ledger."""
