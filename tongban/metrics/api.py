"""The metrics API under /api/v1/metrics: the indicators and the ledger."""

from ninja import Router

from tongban.metrics import indicators_api, ledger_api

router = Router(tags=["metrics"])
router.add_router("", indicators_api.router)
router.add_router("", ledger_api.router)
