"""Pages of the licenses app: verification (``verify_views``) and the holder's wallet
(``wallet_views``)."""

from tongban.licenses import verify_views, wallet_views

app_name = "licenses"
urlpatterns = [*verify_views.urlpatterns, *wallet_views.urlpatterns]
