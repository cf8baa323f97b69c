"""The finance desk's pages (reconciliation, refunds), included by ``payments.urls``.

A reconciliation's ``<number>`` is its id; a refund's is its 退费单号, an order's its
缴费订单号.
"""

from django.urls import path

from tongban.payments import finance_views as views

urlpatterns = [
    path("payments/finance/", views.desk, name="finance_desk"),
    path("payments/finance/reconcile/", views.run, name="finance_run"),
    path("payments/finance/reconciliations/<str:number>/", views.report, name="finance_report"),
    path(
        "payments/finance/reconciliations/<str:number>/xlsx/",
        views.report_xlsx,
        name="finance_report_xlsx",
    ),
    path(
        "payments/finance/reconciliations/<str:number>/resolve/",
        views.resolve,
        name="finance_resolve",
    ),
    path("payments/finance/refunds/", views.refund_queue, name="finance_refunds"),
    path(
        "payments/finance/refunds/<str:number>/decision/",
        views.decide,
        name="finance_refund_decide",
    ),
    path("payments/orders/<str:number>/refund/", views.request_refund, name="refund_request"),
]
