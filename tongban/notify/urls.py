from django.urls import path

from tongban.notify import views

app_name = "notify"
urlpatterns = [
    path("notify/receipts/<slug:provider>", views.receipt, name="receipt"),
    path("my/messages/", views.inbox, name="inbox"),
    path("my/messages/read-all/", views.mark_all_read, name="mark_all_read"),
    path("my/messages/<int:pk>/read/", views.mark_read, name="mark_read"),
]
