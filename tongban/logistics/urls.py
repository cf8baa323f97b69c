"""URLs of the logistics app (mounted at the site root)."""

from django.urls import path

from tongban.logistics import views

app_name = "logistics"
urlpatterns = [
    path("logistics/notify/<slug:provider>/", views.notify, name="notify"),
    path("logistics/waybills/<str:number>/", views.track, name="track"),
    path("logistics/cases/<str:number>/collect/", views.collect, name="collect"),
    path("logistics/desk/", views.desk, name="desk"),
    path("logistics/desk/<str:number>/<slug:action>/", views.desk_act, name="desk_act"),
]
