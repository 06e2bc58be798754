from django.urls import path

from opencertif.www.passeport import cvs, documents, mydata, sharing, signin, views
from opencertif.www.passeport import requests as holder_requests

app_name = "passeport"

urlpatterns = [
    # ---- the passport's pages (Mes acquis, Mon parcours, Mes compétences, Mon avenir,
    #      Mes CV, share links, my data)
    path("", views.home, name="home"),
    path("parcours/", views.experiences, name="experiences"),
    path("parcours/ajouter/", views.experience_form, name="experience_add"),
    path("parcours/<id:pk>/modifier/", views.experience_form, name="experience_edit"),
    path("parcours/<id:pk>/supprimer/", views.experience_delete, name="experience_delete"),
    path("competences/", views.competences, name="competences"),
    path("avenir/", views.future, name="future"),
    path("cv/", cvs.cvs, name="cvs"),
    path("cv/nouveau/", cvs.cv_form, name="cv_new"),
    path("cv/<id:pk>/modifier/", cvs.cv_form, name="cv_edit"),
    path("cv/<id:pk>/supprimer/", cvs.cv_delete, name="cv_delete"),
    path("cv/<id:pk>/partages/", sharing.share_links, name="share_links"),
    path("cv/<id:pk>/partages/<id:link>/revoquer/", sharing.share_revoke, name="share_revoke"),
    path("cv/<id:pk>/partages/<id:link>/supprimer/", sharing.share_delete, name="share_delete"),
    path("mes-donnees/", mydata.mydata, name="mydata"),
    path("mes-donnees/mes-donnees.json", mydata.mydata_json, name="mydata_json"),
    path("mes-donnees/mes-donnees.pdf", mydata.mydata_pdf, name="mydata_pdf"),
    # ---- sign-in (OpenID Connect, development provider)
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
    # ---- signed documents: a CV's PDF, a certification's credential
    path("cv/<id:pk>/pdf/", documents.cv_pdf, name="cv_pdf"),
    path("acquis/<id:pk>/badge.jwt", documents.badge, name="badge"),
    # ---- holders' requests to certifiers (errors, missing certifications)
    path("acquis/<id:pk>/signaler/", holder_requests.report_error, name="report_error"),
    path("signaler-manquante/", holder_requests.report_missing, name="report_missing"),
    path("demandes/", holder_requests.requests, name="requests"),
]
