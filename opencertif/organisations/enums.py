from django.db import models


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", "Ministère"
    HIGHER_EDUCATION = (
        "higher_ed",
        "Établissement d'enseignement supérieur (université, école…)",
    )
    PUBLIC_BODY = "public_body", "Autre établissement public"
    COMPANY = "company", "Entreprise (société, organisme de formation privé…)"
    ASSOCIATION = "association", "Association"
    CPNE = "cpne", "Branche professionnelle (CPNE)"
    OTHER = "other", "Autre organisme"


LEGAL_PROOF_LABELS = {
    OrganisationKind.MINISTRY: "Décret ou arrêté d'organisation du ministère",
    OrganisationKind.HIGHER_EDUCATION: "Décret ou arrêté de création de l'établissement",
    OrganisationKind.PUBLIC_BODY: "Décret ou arrêté de création de l'établissement",
    OrganisationKind.COMPANY: "Extrait Kbis de moins de 3 mois",
    OrganisationKind.ASSOCIATION: "Publication au Journal officiel de la déclaration",
    OrganisationKind.CPNE: "Accord de branche instituant la CPNE",
    OrganisationKind.OTHER: "Justificatif d'existence légale",
}

# Public establishments always need the mandate delegation, whoever requests.
ALWAYS_NEED_MANDATE = (
    OrganisationKind.MINISTRY,
    OrganisationKind.HIGHER_EDUCATION,
    OrganisationKind.PUBLIC_BODY,
)


class Role(models.TextChoices):
    """A person's role in an organisation; what each may do is `organisations.perms`'."""

    MANAGER = "manager", "Gestionnaire"
    MEMBER = "member", "Membre"
    READER = "reader", "Lecteur (consultation seule)"


class AccountRequestState(models.TextChoices):
    DRAFT = "draft", "En cours de saisie"
    AWAITING_ACTIVATION = "awaiting_activation", "En attente de l'activation de l'adresse"
    SUBMITTED = "submitted", "Transmise, en attente de validation"
    ACCEPTED = "accepted", "Validée"
    REJECTED = "rejected", "Refusée"


class JoinRequestState(models.TextChoices):
    AWAITING_ACTIVATION = "awaiting_activation", "En attente de l'activation de l'adresse"
    PENDING = "pending", "En attente de la réponse des gestionnaires"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


class AccountRequestStep(models.TextChoices):
    """The transitions of an account request (AccountRequest.TRANSITIONS)."""

    SUBMIT_REQUESTER = "submit_requester", "Identité du demandeur enregistrée"
    CONFIRM_EMAIL = "confirm_email", "Adresse activée"
    ACCEPT = "accept", "Validation"
    REJECT = "reject", "Refus"


class JoinRequestStep(models.TextChoices):
    """The transitions of a join request (JoinRequest.TRANSITIONS)."""

    CONFIRM_EMAIL = "confirm_email", "Adresse activée"
    ACCEPT = "accept", "Acceptation"
    REFUSE = "refuse", "Refus"


class DocumentKind(models.TextChoices):
    LEGAL_PROOF = "legal_proof", "Justificatif d'existence légale"
    MANDATE = "mandate", "Délégation de mandat (administrateur entité)"


class AuditAction(models.TextChoices):
    """What the audit trail records about organisations (stable codes, French labels)."""

    ACCOUNT_REQUEST_ACCEPTED = "account_request.accepted", "Demande de compte acceptée"
    ACCOUNT_REQUEST_REJECTED = "account_request.rejected", "Demande de compte refusée"
    ACCOUNT_REQUEST_REQUESTER = "account_request.requester", "Demandeur du compte enregistré"
    API_TOKEN_CREATED = "api_token.created", "Jeton d'API créé"
    API_TOKEN_REVOKED = "api_token.revoked", "Jeton d'API révoqué"
    INVITATION_CANCELLED = "invitation.cancelled", "Invitation annulée"
    INVITATION_SENT = "invitation.sent", "Invitation envoyée"
    JOIN_REQUEST_CREATED = "join_request.created", "Demande de rattachement reçue"
    JOIN_REQUEST_REFUSED = "join_request.refused", "Demande de rattachement refusée"
    MEMBERSHIP_CREATED = "membership.created", "Membre ajouté"
    MEMBERSHIP_REMOVED = "membership.removed", "Membre retiré"
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", "Rôle d'un membre changé"
