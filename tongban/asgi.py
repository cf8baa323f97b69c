"""ASGI entry point. Refuses to serve an unsafe production configuration."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")

application = get_asgi_application()

from tongban.core.checks import refuse_unsafe_production  # noqa: E402

refuse_unsafe_production()
