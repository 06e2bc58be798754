from django.urls import path

from opencertif.www.passeport import cvs, mydata, placeholders, sharing, signin, views

app_name = "passeport"

urlpatterns = [
    # ---- the passport's pages (Mes acquis, Mon parcours, Mes compétences, Mon avenir,
    #      Mes CV, share links, my data) — helper "pages"
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
    # ---- sign-in (OpenID Connect, development provider) — helper "signin"
    path("connexion/", signin.signin, name="signin"),
    # ---- signed documents: a CV's PDF, a certification's credential — helper "signing"
    path("cv/<id:pk>/pdf/", placeholders.not_yet, name="cv_pdf"),
    path("acquis/<id:pk>/badge.jwt", placeholders.not_yet, name="badge"),
    # ---- holders' requests to certifiers (errors, missing certifications) — helper "requests"
    path("acquis/<id:pk>/signaler/", placeholders.not_yet, name="report_error"),
    path("signaler-manquante/", placeholders.not_yet, name="report_missing"),
    path("demandes/", placeholders.not_yet, name="requests"),
]
