from django.urls import path

from tongban.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.password, name="password"),
    path("account/realname/", views.realname_view, name="realname"),
    path("account/enterprises/", views.enterprise_list, name="enterprises"),
    path("account/enterprises/enroll/", views.enroll, name="enroll"),
    path("account/enterprises/<int:pk>/agents/", views.add_agent, name="add_agent"),
    path(
        "account/enterprises/<int:pk>/agents/<int:agent_pk>/revoke/",
        views.revoke_agent,
        name="revoke_agent",
    ),
    path("account/acting/", views.switch_acting, name="switch_acting"),
    path("workbench/realname/", views.in_person, name="in_person"),
]
