from django.urls import path

from tongban.archives import views

app_name = "archives"
urlpatterns = [
    path("archives/", views.search, name="search"),
    path("archives/export/", views.export_page, name="export"),
    path("archives/<str:number>/", views.detail, name="detail"),
    path("archives/<str:number>/file/", views.package_file, name="file"),
    path("archives/<str:number>/package/", views.package_zip, name="package"),
]
