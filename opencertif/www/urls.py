from django.contrib.auth import views as auth_views
from django.urls import path

from opencertif.accounts.forms import LoginForm
from opencertif.www import views

app_name = "www"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "connexion/",
        views.login_not_required(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                authentication_form=LoginForm,
                redirect_authenticated_user=True,
            )
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("espace/", views.space, {"space": "certifier"}, name="space_certifier"),
    path("passeport/", views.space, {"space": "passport"}, name="space_passport"),
    path("vae/", views.space, {"space": "vae"}, name="space_vae"),
]
