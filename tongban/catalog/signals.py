"""The catalog's events. Receivers must not fail the publication; they run after commit.

``guide_published``: a guide version came into force (``sender=Guide``, ``guide``, ``item``,
``previous`` — the version it superseded, or ``None``). The search index and, later, the
cases app listen to it.
"""

from django.dispatch import Signal

guide_published = Signal()
