from django.urls import path

from tongban.notify import views

app_name = "notify"
urlpatterns = [
    path("notify/receipts/<slug:provider>", views.receipt, name="receipt"),
]
