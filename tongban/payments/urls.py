"""URLs of the payments app (mounted at the site root)."""

from django.urls import path  # noqa: F401

app_name = "payments"
urlpatterns = []
