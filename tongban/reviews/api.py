"""The reviews API under /api/v1/reviews."""

from ninja import Router

router = Router(tags=["reviews"])
