"""The person and enterprise spaces, mounted at the site root by ``tongban/urls.py``."""

from django.urls import path

from tongban.registry import views

app_name = "registry"
urlpatterns = [
    path("my/space/", views.my_space, name="my_space"),
    path("my/enterprises/<str:uscc>/space/", views.enterprise_space, name="enterprise_space"),
]
