"""The workflow's events, sent inside the transaction of the step that caused them.

``task_ready``: a human task became ready (``sender=Task``, ``task``).
``instance_completed``: a process instance reached an end event (``sender=ProcessInstance``,
``instance``, ``end`` — the id of the end event reached, e.g. ``EndEvent_denied``).

Receivers run in the same transaction as the engine step, so a case can change its status
atomically with its workflow; a receiver that raises rolls the step back. Outside effects
(messages) belong in ``transaction.on_commit``.
"""

from django.dispatch import Signal

task_ready = Signal()
instance_completed = Signal()
