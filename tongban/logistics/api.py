"""The logistics API under /api/v1/logistics."""

from ninja import Router

router = Router(tags=["logistics"])
