from django.contrib import admin
from django.urls import include, path

from tongban.api import api
from tongban.core.views import healthz

# A database that is away answers 503 (Retry-After), any other failure the 500 page.
handler500 = "tongban.core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.notify.urls")),
    path("", include("tongban.catalog.urls")),
    path("", include("tongban.portal.urls")),
    path("", include("tongban.kiosk.urls")),
    path("", include("tongban.licenses.urls")),
    path("", include("tongban.archives.urls")),
    path("", include("tongban.bundles.urls")),
    path("", include("tongban.payments.urls")),
    path("", include("tongban.logistics.urls")),
    path("", include("tongban.reviews.urls")),
    path("", include("tongban.metrics.urls")),
    path("", include("tongban.registry.urls")),
    path("", include("tongban.identity.urls")),
    path("", include("tongban.identity.oidc.urls")),
]
