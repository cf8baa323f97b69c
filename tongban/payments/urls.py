"""URLs of the payments app (mounted at the site root)."""

from django.urls import path  # noqa: F401

from tongban.payments import finance_urls

app_name = "payments"
urlpatterns = [
    *finance_urls.urlpatterns,
]
