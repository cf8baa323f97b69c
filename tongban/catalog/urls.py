"""Public pages of the catalog, mounted at the site root by ``tongban/urls.py``."""

from django.urls import path

from tongban.catalog import licensing, views

app_name = "catalog"
urlpatterns = [
    path("items/", views.browse, name="browse"),
    path("items/<str:code>/", views.guide_page, name="guide"),
    path("items/<str:code>/print/", views.guide_print, name="guide_print"),
    path("items/<str:code>/versions/<int:version>/", views.guide_version, name="guide_version"),
    path(
        "items/<str:code>/versions/<int:version>/print/",
        views.guide_print,
        name="guide_version_print",
    ),
    path("search", views.search_page, name="search"),
    path("licensing-list", licensing.licensing_list_page, name="licensing_list"),
    path("licensing-list.xlsx", licensing.licensing_list_xlsx, name="licensing_list_xlsx"),
]
