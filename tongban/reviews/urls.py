"""URLs of the reviews app (mounted at the site root)."""

from django.urls import path

from tongban.reviews import views

app_name = "reviews"
urlpatterns = [
    path("reviews/cases/<str:number>/", views.case_rating, name="case"),
    path("reviews/windows/<int:pk>/", views.window_pad, name="window"),
    path("reviews/desk/", views.desk, name="desk"),
    path("reviews/desk/appeals/", views.appeals, name="appeals"),
    path("reviews/desk/<int:pk>/", views.rectification, name="rectification"),
    path("reviews/mine/<int:pk>/", views.mine, name="mine"),
    path("reviews/stats/", views.stats, name="stats"),
]
