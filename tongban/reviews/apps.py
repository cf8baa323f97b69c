from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "tongban.reviews"
    label = "reviews"
    verbose_name = _("好差评")

    def ready(self):
        from tongban.cases.signals import case_concluded
        from tongban.core.signals import worker_started
        from tongban.reviews import services, tasks

        case_concluded.connect(services.on_case_concluded, dispatch_uid="reviews.invite")
        worker_started.connect(tasks.on_worker_started, dispatch_uid="reviews.escalate")
