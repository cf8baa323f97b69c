"""URLs of the payments app (mounted at the site root)."""

from django.urls import path

from tongban.payments import finance_urls, views

app_name = "payments"
urlpatterns = [
    *finance_urls.urlpatterns,
    path("payments/notify/<str:provider>/", views.notify, name="notify"),
    path("payments/<str:number>/", views.order, name="order"),
    path("payments/<str:number>/pay/", views.pay, name="pay"),
    path("payments/<str:number>/return/", views.returned, name="return"),
]
