"""The payments API under /api/v1/payments."""

from ninja import Router

router = Router(tags=["payments"])
