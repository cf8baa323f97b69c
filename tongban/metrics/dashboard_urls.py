"""dashboard_urls, included by ``metrics.urls``."""

from django.urls import path  # noqa: F401

urlpatterns = []
