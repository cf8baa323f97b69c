"""The payments API under /api/v1/payments."""

from ninja import Router

from tongban.payments import finance_api

router = Router(tags=["payments"])
router.add_router("", finance_api.router)
