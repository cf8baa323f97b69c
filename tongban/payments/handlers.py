"""The payments app listens to the workflow: a 缴费 system task became ready → bill the case.

The receiver runs in the workflow step's transaction, so the order exists exactly when the
task does (a failure rolls both back).
"""

from tongban.workflow.models import Task
from tongban.workflow.signals import task_ready

SYSTEM = "payments"


def on_task_ready(sender, task: Task, **kwargs) -> None:
    if task.system != SYSTEM:
        return
    from tongban.payments import services

    services.open_order(task)


def connect() -> None:
    task_ready.connect(on_task_ready, sender=Task, dispatch_uid="payments.open_order")
