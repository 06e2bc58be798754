from django.db import models

from opencertif.people.enums import Sex


class Person(models.Model):
    """The reference population (stand-in for the national identity register).

    Holders named in deposits are matched against it; it is loaded with
    `opencertif import_persons`. The folded keys carry the matching, never the raw names.
    """

    nir = models.CharField("NIR (sans clé)", max_length=13, unique=True, null=True, blank=True)
    birth_name = models.CharField("nom de naissance", max_length=60)
    usage_name = models.CharField("nom d'usage", max_length=60, blank=True)
    first_name1 = models.CharField("prénom 1", max_length=60)
    first_name2 = models.CharField("prénom 2", max_length=60, blank=True)
    first_name3 = models.CharField("prénom 3", max_length=60, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField("année de naissance")
    birth_month = models.PositiveSmallIntegerField("mois de naissance", null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField("jour de naissance", null=True, blank=True)
    birth_insee = models.CharField("code INSEE de naissance", max_length=5, blank=True)
    birth_postal_code = models.CharField("code postal de naissance", max_length=9, blank=True)
    birth_country = models.CharField("code pays de naissance", max_length=3, blank=True)
    birth_name_key = models.CharField(max_length=60, editable=False)
    first_name_key = models.CharField(max_length=60, editable=False)
    row_digest = models.CharField(max_length=32, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "personne"
        verbose_name_plural = "population de référence"
        indexes = [
            models.Index(fields=["birth_name_key", "birth_year"], name="person_name_year"),
            models.Index(
                fields=["sex", "birth_year", "birth_month", "birth_day"], name="person_birth"
            ),
        ]

    def __str__(self) -> str:
        return f"Personne n° {self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name1} {self.usage_name or self.birth_name}"


class TrainingDossier(models.Model):
    """A CPF training file (dossier de formation) of a person, for the third way to name a
    holder in a deposit."""

    dossier_id = models.CharField("identifiant du dossier", max_length=13, unique=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="dossiers")

    class Meta:
        verbose_name = "dossier de formation"
        verbose_name_plural = "dossiers de formation"

    def __str__(self) -> str:
        return self.dossier_id
