from django.urls import path

from tongban.kiosk import views

app_name = "kiosk"
urlpatterns = [
    path("kiosk/", views.start, name="start"),
    path("kiosk/enroll/", views.enroll, name="enroll"),
    path("kiosk/card/", views.card, name="card"),
    path("kiosk/end/", views.end, name="end"),
    path("kiosk/menu/", views.menu, name="menu"),
    path("kiosk/guides/", views.guides, name="guides"),
    path("kiosk/track/", views.track, name="track"),
    path("kiosk/apply/<str:code>/", views.apply, name="apply"),
    path("kiosk/cases/", views.my_cases, name="my_cases"),
    path("kiosk/cases/<str:number>/", views.receipt, name="receipt"),
]
