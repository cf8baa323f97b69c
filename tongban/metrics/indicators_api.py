"""indicators_api, mounted by ``metrics.api`` at /api/v1/metrics."""

from ninja import Router

router = Router(tags=["metrics"])
