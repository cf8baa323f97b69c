"""ledger_urls, included by ``metrics.urls``: the reform task ledger's pages."""

from django.urls import path

from tongban.metrics import ledger_views as views

urlpatterns = [
    path("ledger/", views.supervision, name="ledger"),
    path("ledger/export/", views.export, name="ledger_export"),
    path("ledger/<str:number>/", views.detail, name="ledger_task"),
    path("ledger/<str:number>/report/", views.report, name="ledger_report"),
    path("ledger/<str:number>/evidence/", views.evidence_file, name="ledger_evidence"),
]
