"""The archives API under /api/v1/ (mounted in ``tongban/api.py``)."""

from ninja import Router

router = Router(tags=["archives"])
