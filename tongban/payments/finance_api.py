"""The finance API operations (reconciliation, refunds), mounted by ``payments.api``."""

from ninja import Router

router = Router(tags=["payments"])
