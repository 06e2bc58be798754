from django.urls import path

from opencertif.www.espace import bulk_deletions, compliance, deposits, passages, signup, views

app_name = "espace"

urlpatterns = [
    path("", views.home, name="home"),
    path("depots/", deposits.index, name="deposits"),
    path("depots/nouveau/", deposits.upload, name="deposit_upload"),
    path("depots/exemple/", deposits.sample, name="deposit_sample"),
    path("depots/<int:pk>/", deposits.detail, name="deposit"),
    path("depots/<int:pk>/relancer/", deposits.retry, name="deposit_retry"),
    path(
        "depots/<int:pk>/accuse.<str:fmt>",
        deposits.report,
        name="deposit_report",
    ),
    path("conformite/", compliance.index, name="compliance"),
    path("conformite/<int:pk>/", compliance.organisation, name="compliance_organisation"),
    path("passages/", passages.index, name="passages"),
    path("passages/export.<str:fmt>", passages.export, name="passages_export"),
    path("passages/declarer/", passages.declare, name="passage_declare"),
    path("passages/<int:pk>/", passages.detail, name="passage"),
    path("passages/<int:pk>/modifier/", passages.modify, name="passage_modify"),
    path("passages/<int:pk>/supprimer/", passages.delete, name="passage_delete"),
    path("passages/<int:pk>/restaurer/", passages.restore, name="passage_restore"),
    path("passages/suppression/", bulk_deletions.new, name="bulk_deletion"),
    path("passages/suppressions/", bulk_deletions.index, name="bulk_deletions"),
    path(
        "passages/suppressions/<int:pk>/",
        bulk_deletions.detail,
        name="bulk_deletion_detail",
    ),
    path(
        "passages/suppressions/<int:pk>/confirmer/",
        bulk_deletions.confirm,
        name="bulk_deletion_confirm",
    ),
    path(
        "passages/suppressions/<int:pk>/restaurer/",
        bulk_deletions.restore,
        name="bulk_deletion_restore",
    ),
    path(
        "passages/suppressions/<int:pk>/relancer/",
        bulk_deletions.retry,
        name="bulk_deletion_retry",
    ),
    path("inscription/", signup.start, name="signup"),
    path("inscription/etape-1/", signup.step1, name="signup_step1"),
    path("inscription/etape-2/", signup.step2, name="signup_step2"),
    path("inscription/etape-3/", signup.step3, name="signup_step3"),
    path("inscription/etape-4/", signup.step4, name="signup_step4"),
    path("inscription/envoyee/", signup.done, name="signup_done"),
    path("inscription/recommencer/", signup.restart, name="signup_restart"),
    path("inscription/renvoyer-le-lien/", signup.resend, name="signup_resend"),
    path("inscription/activer/<str:uidb64>/<str:token>/", signup.activate, name="activate"),
    path("inscription/rejoindre/<int:pk>/", signup.join, name="signup_join"),
    path("inscription/modele-delegation/", signup.mandate_model, name="mandate_model"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("organismes/<int:pk>/", views.organisation, name="organisation"),
    path("organismes/<int:pk>/membres/<int:member>/role/", views.change_role, name="change_role"),
    path(
        "organismes/<int:pk>/membres/<int:member>/retirer/",
        views.remove_member,
        name="remove_member",
    ),
    path("organismes/<int:pk>/invitations/", views.invite, name="invite"),
    path(
        "organismes/<int:pk>/invitations/<int:invitation>/annuler/",
        views.cancel_invitation,
        name="cancel_invitation",
    ),
    path(
        "organismes/<int:pk>/rattachements/<int:join>/accepter/",
        views.accept_join,
        name="accept_join",
    ),
    path(
        "organismes/<int:pk>/rattachements/<int:join>/refuser/",
        views.refuse_join,
        name="refuse_join",
    ),
    path("organismes/<int:pk>/documents/<int:document>/", views.document, name="document"),
    path("organismes/<int:pk>/depot/", views.deposit_rights, name="deposit_rights"),
    path("organismes/<int:pk>/api/", views.api_tokens, name="api_tokens"),
    path(
        "organismes/<int:pk>/api/<int:token>/revoquer/",
        views.revoke_api_token,
        name="revoke_api_token",
    ),
    path(
        "organismes/<int:pk>/depot/delegations/<int:delegation>/revoquer/",
        views.revoke_delegation,
        name="revoke_delegation",
    ),
]
