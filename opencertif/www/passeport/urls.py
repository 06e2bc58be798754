from django.urls import path

from opencertif.www import views
from opencertif.www.passeport import documents, placeholders, signin
from opencertif.www.passeport import requests as holder_requests

app_name = "passeport"

urlpatterns = [
    # ---- the passport's pages (Mes acquis, Mon parcours, Mes compétences, Mon avenir,
    #      Mes CV, share links, my data) — helper "pages"
    path("", views.space, {"space": "passport"}, name="home"),
    path("cv/", placeholders.not_yet, name="cvs"),
    # ---- sign-in (OpenID Connect, development provider) — helper "signin"
    path("connexion/", signin.signin, name="signin"),
    path("oidc/authenticate/", signin.Authenticate.as_view(), name="oidc_authenticate"),
    path("oidc/callback/", signin.Callback.as_view(), name="oidc_callback"),
    path("deconnexion/", signin.signout, name="logout"),
    path("connexion/developpement/", signin.dev_provider, name="dev_provider"),
    path(
        "connexion/developpement/<id:pk>/",
        signin.dev_provider_sign_in,
        name="dev_provider_sign_in",
    ),
    # ---- signed documents: a CV's PDF, a certification's credential — helper "signing"
    path("cv/<id:pk>/pdf/", documents.cv_pdf, name="cv_pdf"),
    path("acquis/<id:pk>/badge.jwt", documents.badge, name="badge"),
    # ---- holders' requests to certifiers (errors, missing certifications) — helper "requests"
    path("acquis/<id:pk>/signaler/", holder_requests.report_error, name="report_error"),
    path("signaler-manquante/", holder_requests.report_missing, name="report_missing"),
    path("demandes/", holder_requests.requests, name="requests"),
]
