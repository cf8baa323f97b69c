"""Access rules of the indicators and the dashboard."""
