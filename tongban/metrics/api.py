"""The metrics API under /api/v1/metrics."""

from ninja import Router

router = Router(tags=["metrics"])
