"""Events of the cases app other apps react to (licenses, archives, later reviews).

``case_concluded``: a case has been concluded (办结) and the conclusion is committed.
Sent once per case after the commit, with ``case_pk`` and ``result_type`` (a
``models.ResultType`` value, or ``""`` when the conclusion recorded none). Receivers queue
their own background work; an exception in one receiver does not undo the conclusion.
"""

from django.dispatch import Signal

case_concluded = Signal()
