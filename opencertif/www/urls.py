from django.urls import path

from opencertif.www import verify, views
from opencertif.www.accounts import account
from opencertif.www.accounts import views as accounts
from opencertif.www.passeport import sharing

app_name = "www"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", accounts.LoginView.as_view(), name="login"),
    path("deconnexion/", accounts.LogoutView.as_view(), name="logout"),
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
    path("compte/", account.account, name="account"),
    path("compte/mot-de-passe/", account.change_password, name="account_password"),
    path("compte/adresse/", account.change_email, name="account_email"),
    path(
        "compte/adresse/confirmer/<str:token>/",
        account.confirm_email,
        name="account_email_confirm",
    ),
    path("vae/", views.space, {"space": "vae"}, name="space_vae"),
    # ---- public verification of signed documents, public keys
    path("verifier/", verify.verify, name="verify"),
    path("verifier/<uuid:document_id>/", verify.verify_document, name="verify_document"),
    path(".well-known/jwks.json", verify.jwks, name="jwks"),
    # ---- a CV's online view through a share link
    path("partage/<str:token>/", sharing.shared_cv, name="shared_cv"),
]
