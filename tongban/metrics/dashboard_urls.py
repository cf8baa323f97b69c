"""dashboard_urls, included by ``metrics.urls``: the leaders' self-evaluation dashboard."""

from django.urls import path

from tongban.metrics import dashboard_views as views

urlpatterns = [
    path("metrics/", views.dashboard, name="dashboard"),
    path("metrics/indicators.xlsx", views.export_indicators, name="export_indicators"),
    path("metrics/departments.xlsx", views.export_departments, name="export_departments"),
    path("metrics/towns.xlsx", views.export_towns, name="export_towns"),
    path("metrics/assessment.xlsx", views.export_assessment, name="export_assessment"),
    path("metrics/report.pdf", views.report_pdf, name="report"),
    # <code>: an indicator key (online_full, on_time, …).
    path("metrics/indicators/<slug:code>/", views.indicator_gap, name="indicator_gap"),
]
