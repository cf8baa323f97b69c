"""The bundles API under /api/v1/bundles (mounted in ``tongban/api.py``)."""

from ninja import Router

router = Router(tags=["bundles"])
