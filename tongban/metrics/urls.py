"""URLs of the metrics app (mounted at the site root)."""

from django.urls import path  # noqa: F401

app_name = "metrics"
urlpatterns = []
