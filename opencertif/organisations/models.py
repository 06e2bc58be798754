from django.db import models
from django.db.models import Q
from django.urls import reverse

from opencertif.core.text import fold


class OrganisationQuerySet(models.QuerySet):
    def certifiers(self):
        return self.filter(certifier_links__isnull=False).distinct()


class Organisation(models.Model):
    """A legal body: certifier, partner, depositor. Shared by every space of the platform.

    The registry export lacks the SIRET for about a third of its certifiers, so it is
    optional; organisations without one are matched by their folded name.
    """

    siret = models.CharField("SIRET", max_length=14, null=True, blank=True)
    name = models.CharField("raison sociale", max_length=255)
    commercial_name = models.CharField("nom commercial", max_length=255, blank=True)
    name_key = models.CharField(max_length=255, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "organisme"
        verbose_name_plural = "organismes"
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=Q(siret__isnull=False), name="organisation_unique_siret"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("public:certifier", args=[self.pk])

    @property
    def display_name(self) -> str:
        """Legal name, with the commercial name beside it when it differs."""
        if self.commercial_name and fold(self.commercial_name) != fold(self.name):
            return f"{self.name} ({self.commercial_name})"
        return self.name

    @staticmethod
    def key_for(name: str) -> str:
        return fold(name)[:255]
