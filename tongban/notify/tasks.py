"""Background tasks (Django Tasks). ``schedule`` enqueues a delivery, delayed if needed.

On a backend without delays (the immediate one in tests) a later attempt is left to
``deliver_due``, which also picks up anything whose task was lost.
"""

from django_tasks import task

from tongban.core import clock
from tongban.notify import delivery


@task()
def deliver_message(message_id: int) -> str:
    return delivery.deliver(message_id)


@task()
def deliver_due() -> int:
    return delivery.deliver_due()


def schedule(message_id: int, when=None) -> None:
    if when is None or when <= clock.now():
        deliver_message.enqueue(message_id)
    elif deliver_message.get_backend().supports_defer:
        deliver_message.using(run_after=when).enqueue(message_id)
