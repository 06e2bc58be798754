from django.db import models


class AccountRole(models.TextChoices):
    """The two roles an organisation may hold on the deposit platform."""

    CERTIFIER = "certifier", "Certificateur (dépose pour lui-même)"
    DEPOSITOR = "depositor", "Déposant pour d'autres certificateurs"


class Situation(models.TextChoices):
    """The three official situations in which an organisation activates its deposit rights."""

    SELF = "self", "Certificateur qui dépose pour lui-même"
    CERTIFIER_AND_DEPOSITOR = (
        "both",
        "Certificateur qui dépose aussi pour d'autres certificateurs",
    )
    THIRD_PARTY = "third_party", "Tiers déposant (organisme de confiance)"
