"""URLs of the metrics app (mounted at the site root): the ledger and the dashboard."""

from tongban.metrics import dashboard_urls, ledger_urls

app_name = "metrics"
urlpatterns = [*ledger_urls.urlpatterns, *dashboard_urls.urlpatterns]
