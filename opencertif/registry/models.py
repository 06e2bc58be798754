from django.db import models
from django.urls import reverse

from opencertif.organisations.models import Organisation
from opencertif.registry.enums import (
    AccessRoute,
    FicheState,
    Habilitation,
    Level,
    LinkKind,
    LinkState,
    Register,
    RegistrationType,
)


class NsfCode(models.Model):
    """Nomenclature des spécialités de formation: 3 digits and an optional letter (221w)."""

    code = models.CharField("code", max_length=8, primary_key=True)
    label = models.CharField("intitulé", max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "code NSF"
        verbose_name_plural = "codes NSF"

    def __str__(self) -> str:
        return f"{self.code} : {self.label}" if self.label else self.code

    @property
    def domain(self) -> str:
        return self.code[:2]


class RomeCode(models.Model):
    """Répertoire opérationnel des métiers et des emplois (France Travail)."""

    code = models.CharField("code", max_length=5, primary_key=True)
    label = models.CharField("intitulé", max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "code ROME"
        verbose_name_plural = "codes ROME"

    def __str__(self) -> str:
        return f"{self.code} : {self.label}" if self.label else self.code

    @property
    def family(self) -> str:
        return self.code[:1]


class Formacode(models.Model):
    code = models.CharField("code", max_length=8, primary_key=True)
    label = models.CharField("intitulé", max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "Formacode"
        verbose_name_plural = "Formacodes"

    def __str__(self) -> str:
        return f"{self.code} : {self.label}" if self.label else self.code


class CertificationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_certifiers(self):
        return self.prefetch_related(
            models.Prefetch(
                "certifier_links",
                queryset=CertifierLink.objects.select_related("organisation").order_by("position"),
            )
        )


class Certification(models.Model):
    """A fiche of the RNCP or of the Répertoire spécifique, as France Compétences publishes it."""

    number = models.CharField("numéro de fiche", max_length=20, unique=True)
    register = models.CharField("répertoire", max_length=4, choices=Register.choices)
    source_id = models.PositiveIntegerField("identifiant France Compétences", null=True)
    title = models.TextField("intitulé")
    abbreviation_code = models.CharField("abrégé", max_length=50, blank=True)
    abbreviation_label = models.CharField("libellé de l'abrégé", max_length=255, blank=True)
    level = models.CharField("niveau européen", max_length=4, choices=Level.choices, blank=True)
    state = models.CharField(
        "état de la fiche", max_length=12, choices=FicheState.choices, default=FicheState.PUBLISHED
    )
    is_active = models.BooleanField("active", default=False)
    registration_type = models.CharField(
        "type d'enregistrement", max_length=12, choices=RegistrationType.choices, blank=True
    )
    decision_date = models.DateField("date de décision", null=True, blank=True)
    effect_date = models.DateField("date d'effet", null=True, blank=True)
    registration_end_date = models.DateField("fin d'enregistrement", null=True, blank=True)
    last_jo_date = models.DateField("dernier Journal officiel", null=True, blank=True)
    delivery_limit_date = models.DateField("date limite de délivrance", null=True, blank=True)
    registration_duration = models.PositiveSmallIntegerField(
        "durée d'enregistrement (ans)", null=True, blank=True
    )
    activities = models.TextField("activités visées", blank=True)
    abilities = models.TextField("capacités attestées", blank=True)
    sectors = models.TextField("secteurs d'activité", blank=True)
    jobs = models.TextField("types d'emplois accessibles", blank=True)
    objectives = models.TextField("objectifs et contexte", blank=True)
    regulations = models.TextField("réglementation d'activités", blank=True)
    prerequisites = models.TextField("prérequis à l'entrée en formation", blank=True)
    description_url = models.URLField("lien vers la description", max_length=500, blank=True)
    partial_validation = models.BooleanField("validation partielle", null=True, blank=True)
    new_caledonia = models.BooleanField("accessible en Nouvelle-Calédonie", null=True, blank=True)
    french_polynesia = models.BooleanField(
        "accessible en Polynésie française", null=True, blank=True
    )
    has_partners = models.BooleanField("existence de partenaires", null=True, blank=True)
    nsf_codes = models.ManyToManyField(NsfCode, blank=True, related_name="certifications")
    rome_codes = models.ManyToManyField(RomeCode, blank=True, related_name="certifications")
    formacodes = models.ManyToManyField(Formacode, blank=True, related_name="certifications")
    missing_since = models.DateField(
        "absente de l'export depuis",
        null=True,
        blank=True,
        help_text="Renseignée quand la fiche n'apparaît plus dans l'export officiel.",
    )
    origin = models.CharField(
        "origine",
        max_length=4,
        blank=True,
        editable=False,
        help_text="Dernière source qui a écrit la fiche : csv, xml (export officiel) ou demo.",
    )
    csv_digest = models.CharField(max_length=64, blank=True, editable=False)
    xml_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CertificationQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "certification"
        verbose_name_plural = "certifications"
        indexes = [models.Index(fields=["register", "is_active"])]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("public:certification", args=[self.number])

    @property
    def level_label(self) -> str:
        if self.register == Register.RS:
            return "Sans objet (répertoire spécifique)"
        return self.get_level_display() or "Non renseigné"


class Block(models.Model):
    """Bloc de compétences: a part of an RNCP certification that can be validated alone."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="blocks"
    )
    code = models.CharField("code", max_length=30)
    label = models.TextField("intitulé")
    competences = models.TextField("liste de compétences", blank=True)
    evaluation = models.TextField("modalités d'évaluation", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["certification", "position", "code"]
        verbose_name = "bloc de compétences"
        verbose_name_plural = "blocs de compétences"
        constraints = [
            models.UniqueConstraint(fields=["certification", "code"], name="block_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label}"


class CertifierLink(models.Model):
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="certifier_links"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="certifier_links"
    )
    state = models.CharField(
        "état", max_length=8, choices=LinkState.choices, blank=True, default=LinkState.UNKNOWN
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["certification", "position"]
        verbose_name = "certificateur"
        verbose_name_plural = "certificateurs"
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "organisation"], name="certifier_unique_per_fiche"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification.number} ← {self.organisation}"


class Partner(models.Model):
    """An organisation habilitated by the certifier to train or assess for the fiche."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="partners"
    )
    siret = models.CharField("SIRET", max_length=14, blank=True)
    name = models.CharField("nom", max_length=255)
    habilitation = models.CharField(
        "habilitation", max_length=14, choices=Habilitation.choices, blank=True
    )
    state = models.CharField(
        "état", max_length=8, choices=LinkState.choices, blank=True, default=LinkState.UNKNOWN
    )
    active_since = models.DateField("actif depuis", null=True, blank=True)
    state_changed_on = models.DateField("dernier changement d'état", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["certification", "position"]
        verbose_name = "partenaire"
        verbose_name_plural = "partenaires"

    def __str__(self) -> str:
        return self.name


class AccessRouteInfo(models.Model):
    """One access route (voie d'accès) of a fiche, open or not, with its jury."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="access_routes"
    )
    route = models.CharField("voie d'accès", max_length=20, choices=AccessRoute.choices)
    is_open = models.BooleanField("ouverte", default=True)
    jury_composition = models.TextField("composition du jury", blank=True)
    updated_on = models.DateField("dernière modification", null=True, blank=True)

    class Meta:
        ordering = ["certification", "route"]
        verbose_name = "voie d'accès"
        verbose_name_plural = "voies d'accès"
        constraints = [
            models.UniqueConstraint(fields=["certification", "route"], name="route_unique")
        ]

    def __str__(self) -> str:
        return self.get_route_display()


class CertificationLink(models.Model):
    """Old/new version of a fiche, possibly in the other register (RNCP → RS)."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="version_links"
    )
    kind = models.CharField("sens", max_length=3, choices=LinkKind.choices)
    other_number = models.CharField("autre fiche", max_length=20)

    class Meta:
        ordering = ["certification", "kind", "other_number"]
        verbose_name = "lien entre versions"
        verbose_name_plural = "liens entre versions"
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "kind", "other_number"], name="link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification.number} {self.kind} {self.other_number}"


class JoPublication(models.Model):
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="jo_publications"
    )
    published_on = models.DateField("date de publication")
    label = models.CharField("texte", max_length=500, blank=True)

    class Meta:
        ordering = ["certification", "-published_on"]
        verbose_name = "publication au Journal officiel"
        verbose_name_plural = "publications au Journal officiel"

    def __str__(self) -> str:
        return f"JO du {self.published_on:%d/%m/%Y}"


class PromotionStat(models.Model):
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="promotion_stats"
    )
    year = models.PositiveSmallIntegerField("année")
    certified = models.PositiveIntegerField("certifiés", null=True, blank=True)
    certified_vae = models.PositiveIntegerField("certifiés par VAE", null=True, blank=True)
    insertion_rate_6m = models.PositiveSmallIntegerField(
        "taux d'insertion global à 6 mois (%)", null=True, blank=True
    )
    insertion_rate_2y = models.PositiveSmallIntegerField(
        "taux d'insertion dans le métier à 2 ans (%)", null=True, blank=True
    )

    class Meta:
        ordering = ["certification", "-year"]
        verbose_name = "statistique de promotion"
        verbose_name_plural = "statistiques de promotion"
        constraints = [
            models.UniqueConstraint(fields=["certification", "year"], name="stat_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.certification.number} {self.year}"


class CollectiveAgreement(models.Model):
    """Convention collective nationale (CCN) attached to a fiche."""

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="collective_agreements"
    )
    number = models.CharField("numéro", max_length=10)
    label = models.CharField("intitulé", max_length=500, blank=True)

    class Meta:
        ordering = ["certification", "number"]
        verbose_name = "convention collective"
        verbose_name_plural = "conventions collectives"

    def __str__(self) -> str:
        return f"{self.number} {self.label}"


class SearchEntry(models.Model):
    """What the search service reads for every matching fiche, kept narrow on purpose.

    `facets` packs register|level|active|NSF domains|ROME codes|ROME families|certifier
    ids into one string: one short row per match costs far less to read than seven
    columns of a wide row. The full-text part lives beside it, per backend: an FTS5 table
    on SQLite, a tsvector column of this table on PostgreSQL (see search_backends).
    """

    certification = models.OneToOneField(
        Certification, on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    facets = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)
    title_key = models.CharField(max_length=32, blank=True)
    number_key = models.PositiveIntegerField(default=0)
    decision_key = models.PositiveIntegerField(default=0, help_text="decision date ordinal")

    class Meta:
        verbose_name = "entrée d'index"
        verbose_name_plural = "index de recherche"

    def __str__(self) -> str:
        return str(self.certification_id)


class SearchCard(models.Model):
    """What a result list shows of a fiche, read for the 20 fiches of a page only."""

    certification = models.OneToOneField(
        Certification, on_delete=models.CASCADE, primary_key=True, related_name="search_card"
    )
    number = models.CharField(max_length=20)
    title = models.TextField()
    register = models.CharField(max_length=4)
    level = models.CharField(max_length=4, blank=True)
    is_active = models.BooleanField(default=False)
    registration_end_date = models.DateField(null=True, blank=True)
    certifiers_label = models.TextField(blank=True)

    class Meta:
        verbose_name = "carte de résultat"
        verbose_name_plural = "cartes de résultat"

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("public:certification", args=[self.number])

    def get_level_display(self) -> str:
        return Level(self.level).label if self.level else ""
