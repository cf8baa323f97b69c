from django.urls import path

from tongban.bundles import views

app_name = "bundles"
urlpatterns = [
    path("bundles/", views.index, name="index"),
    path("bundles/<slug:code>/", views.detail, name="detail"),
    path("my/bundles/", views.my_cases, name="my_cases"),
    path("my/bundles/<str:number>/", views.my_case, name="my_case"),
    path("my/bundles/<str:number>/receipt.pdf", views.receipt, name="receipt"),
]
