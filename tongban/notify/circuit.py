"""A circuit breaker per provider, kept in the database so every worker shares it.

closed → (N failures in a row) → open until the cool-down ends → half-open: one caller
probes; success closes the circuit, failure opens it for another cool-down.
"""

import datetime
import random

from django.conf import settings
from django.db import transaction

from tongban.notify.models import ProviderCircuit

State = ProviderCircuit.State


def cooldown() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFY_CIRCUIT_COOLDOWN_SECONDS)


def wait_until(provider: str, now: datetime.datetime) -> datetime.datetime | None:
    """``None`` when a call may go ahead; otherwise when to try again.

    Waiting messages are spread after the cool-down over a window that doubles with each
    failed probe, so a long outage doesn't wake every message at every cool-down; when the
    circuit closes, ``succeeded`` brings them forward again.
    """
    circuit = ProviderCircuit.objects.filter(provider=provider).first()
    if circuit is None or circuit.state == State.CLOSED:
        return None
    if circuit.opened_until and now < circuit.opened_until:
        extra = max(circuit.failures - settings.NOTIFY_CIRCUIT_FAILURES, 0)
        spread = min(cooldown().total_seconds() * 2**extra, settings.NOTIFY_RETRY_CAP_SECONDS)
        return circuit.opened_until + datetime.timedelta(seconds=random.uniform(0, spread))
    # Cool-down over (or a probe's lease expired): exactly one caller wins the probe.
    probe_until = now + cooldown()
    won = ProviderCircuit.objects.filter(
        pk=circuit.pk, state=circuit.state, opened_until=circuit.opened_until
    ).update(state=State.HALF_OPEN, opened_until=probe_until)
    return None if won else probe_until


def succeeded(provider: str) -> bool:
    """Close the circuit; whether it was open (or half-open) before."""
    return bool(
        ProviderCircuit.objects.filter(provider=provider)
        .exclude(state=State.CLOSED)
        .update(state=State.CLOSED, failures=0, opened_until=None)
    ) or bool(ProviderCircuit.objects.filter(provider=provider, failures__gt=0).update(failures=0))


def failed(provider: str, now: datetime.datetime) -> ProviderCircuit:
    with transaction.atomic():
        circuit, _created = ProviderCircuit.objects.select_for_update().get_or_create(
            provider=provider
        )
        circuit.failures += 1
        if circuit.state == State.HALF_OPEN or circuit.failures >= settings.NOTIFY_CIRCUIT_FAILURES:
            circuit.state, circuit.opened_until = State.OPEN, now + cooldown()
        circuit.save()
    return circuit
