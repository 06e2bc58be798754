from django.contrib.auth import views as auth_views
from django.urls import path

from opencertif.www import views
from opencertif.www.accounts import views as accounts

app_name = "www"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", accounts.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("connexion/debloquer/<str:token>/", accounts.unlock, name="unlock"),
    path("connexion/identifiant-oublie/", accounts.forgot_identifier, name="forgot_identifier"),
    path(
        "connexion/mot-de-passe-oublie/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "connexion/mot-de-passe-oublie/envoye/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "connexion/nouveau-mot-de-passe/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "connexion/nouveau-mot-de-passe/fait/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("passeport/", views.space, {"space": "passport"}, name="space_passport"),
    path("vae/", views.space, {"space": "vae"}, name="space_vae"),
]
