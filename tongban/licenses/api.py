"""The licenses API under /api/v1/licenses/ (mounted in ``tongban/api.py``): verification and
issuance (``verify_api``), the holder's wallet and 扫码亮证 (``wallet_api``)."""

from ninja import Router

from tongban.licenses.verify_api import router as verify_router
from tongban.licenses.wallet_api import router as wallet_router

router = Router(tags=["licenses"])
router.add_router("", verify_router)
router.add_router("", wallet_router)
