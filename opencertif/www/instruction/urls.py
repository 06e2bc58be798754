from django.urls import path

from opencertif.www.instruction import audit, compliance, requests, statistics, views

app_name = "instruction"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("comptes/", views.account_requests, name="account_requests"),
    path("comptes/<id:pk>/", views.account_request, name="account_request"),
    path("documents/<id:document>/", views.request_document, name="document"),
    path("rattachements/", views.join_requests, name="join_requests"),
    path("conformite/", compliance.index, name="compliance"),
    path("conformite/<id:pk>/", compliance.organisation, name="compliance_organisation"),
    path("organismes/", views.organisations, name="organisations"),
    path("organismes/<id:pk>/", views.organisation, name="organisation"),
    path("organismes/<id:pk>/journal/", audit.organisation_log, name="organisation_log"),
    path("passages/<id:pk>/journal/", audit.passage_log, name="passage_log"),
    path(
        "organismes/<id:pk>/identifiants/<id:account>/renvoyer/",
        views.resend_identifiers,
        name="resend_identifiers",
    ),
    # ---- holders' requests, staff reads of a passport — helper "requests"
    path("demandes/", requests.index, name="requests"),
    path("demandes/<id:pk>/", requests.detail, name="request"),
    path("demandes/<id:pk>/traiter/", requests.correct, name="request_correct"),
    path("demandes/<id:pk>/refuser/", requests.refuse, name="request_refuse"),
    path("titulaires/<id:pk>/", requests.holder, name="holder"),
    path("statistiques/", statistics.statistics_page, name="statistics"),
    path("statistiques/actualiser/", statistics.refresh_statistics, name="statistics_refresh"),
]
