"""The finance desk's pages (reconciliation, refunds), included by ``payments.urls``."""

from django.urls import path  # noqa: F401

urlpatterns = []
