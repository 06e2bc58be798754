"""The passage form (declare, modify) and the passage list's filters.

The form asks for the same data as the XML, with the same rules; its values are turned
into the writer's shape (`to_data`), then checked by the deposit schema and rules
(opencertif.passages.listing). Fields that only matter in some cases carry
`data-show-if` so that the page shows them only then (static/www/conditional.js); without
JavaScript every field shows, with its condition in its hint.
"""

import re

from django import forms

from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.format import vocabulary as v
from opencertif.passages.care import MISSING_VERSION
from opencertif.passages.listing import SORTS, read_filters
from opencertif.www.forms import DsfrForm

YES_NO = [("oui", "Oui"), ("non", "Non")]
NIR_RE = re.compile(r"^[12][0-9]{2}(0[1-9]|1[0-2]|20)([0-9]{2}|2A|2B)[0-9]{6}$")
DIGITAL_ROWS = 3

# Which fields show only when another field has one of some values.
CONDITIONS = {
    "language_level": ("has_language_level", ("oui",)),
    "overall_score": ("has_digital_level", ("oui",)),
    "vae_route": ("access_mode", ("VAE",)),
    "birth_name": ("identity_kind", ("holder",)),
    "usage_name": ("identity_kind", ("holder",)),
    "first_name1": ("identity_kind", ("holder",)),
    "first_name2": ("identity_kind", ("holder",)),
    "first_name3": ("identity_kind", ("holder",)),
    "sex": ("identity_kind", ("holder",)),
    "birth_year": ("identity_kind", ("holder",)),
    "birth_month": ("identity_kind", ("holder",)),
    "birth_day": ("identity_kind", ("holder",)),
    "birth_place_kind": ("identity_kind", ("holder",)),
    "birth_insee": ("birth_place_kind", ("insee",)),
    "birth_postal_code": ("birth_place_kind", ("postal",)),
    "birth_country_code": ("birth_place_kind", ("abroad",)),
    "birth_town": ("identity_kind", ("holder",)),
    "birth_country_label": ("birth_place_kind", ("abroad",)),
    "nir": ("identity_kind", ("national_id",)),
    "nir_birth_name": ("identity_kind", ("national_id",)),
    "dossier_id": ("identity_kind", ("dossier",)),
    "dossier_name": ("identity_kind", ("dossier",)),
    "dossier_first_name": ("identity_kind", ("dossier",)),
}
for _index in range(1, DIGITAL_ROWS + 1):
    for _part in ("level", "domain", "competence"):
        CONDITIONS[f"digital_{_part}_{_index}"] = ("has_digital_level", ("oui",))


def _choices(values, empty: str | None = None):
    return ([("", empty)] if empty is not None else []) + list(values)


def _text(label, max_length, required=False, help_text=""):
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text
    )


def _date(label, required=False, help_text="Format JJ/MM/AAAA"):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Date invalide : écrivez-la JJ/MM/AAAA."},
    )


class PassageForm(DsfrForm):
    """Every datum of a passage of certification, grouped as on the official form."""

    route = forms.ChoiceField(label="Certificateur", required=False)
    certification = forms.ChoiceField(label="Certification")
    id_technique = _text(
        "idTechnique",
        255,
        help_text="Votre identifiant du passage, unique pour le certificateur. Laissé vide, il "
        "est créé pour vous.",
    )
    obtained_by = forms.ChoiceField(
        label="Obtention de la certification", choices=v.OBTAINED_BY, widget=forms.RadioSelect
    )
    certified_data = forms.ChoiceField(
        label="Le résultat est-il définitif ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="« Non » si des recours ou des rattrapages peuvent encore le changer.",
    )
    exam_start = _date("Début de l'examen (facultatif)")
    exam_end = _date("Fin de l'examen (facultatif)")
    exam_mode = forms.ChoiceField(
        label="Modalité de l'examen (facultatif)",
        choices=_choices(v.EXAM_MODES, "Non précisée"),
        required=False,
    )
    exam_centre_postal_code = _text("Code postal du centre d'examen (facultatif)", 9)
    valid_from = _date(
        "Début de validité",
        required=True,
        help_text="La date du parchemin. Format JJ/MM/AAAA.",
    )
    valid_until = _date(
        "Fin de validité (facultatif)",
        help_text="Laissez vide si la certification n'expire pas. Format JJ/MM/AAAA.",
    )
    has_language_level = forms.ChoiceField(
        label="Un niveau de langue européen (CECRL) est-il attesté ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    language_level = forms.ChoiceField(
        label="Niveau de langue",
        choices=_choices(v.LANGUAGE_LEVELS, "Choisir"),
        required=False,
        help_text="Si un niveau de langue est attesté.",
    )
    has_digital_level = forms.ChoiceField(
        label="Un niveau numérique européen (DigComp) est-il attesté ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    overall_score = forms.IntegerField(
        label="Score général DigComp (facultatif)",
        required=False,
        min_value=1,
        max_value=1000,
        help_text="Entre 1 et 1 000, si un niveau numérique est attesté.",
    )
    score = _text("Score obtenu (facultatif)", 255)
    honours = forms.ChoiceField(
        label="Mention", choices=_choices(v.HONOURS, "Non renseignée"), required=False
    )
    option_label = _text("Option, mention ou spécialité (facultatif)", 255)
    proof_url = _text("Lien vers la preuve numérique (facultatif)", 255)
    verbatim = _text("Information complémentaire (facultatif)", 255)
    access_mode = forms.ChoiceField(
        label="Modalité d'accès à la certification",
        choices=_choices(v.ACCESS_MODES, "Non renseignée"),
        required=False,
    )
    vae_route = forms.ChoiceField(
        label="Voie d'accès VAE",
        choices=_choices(v.VAE_ROUTES, "Choisir"),
        required=False,
        help_text="Obligatoire quand l'accès est la VAE.",
    )
    initiative = forms.ChoiceField(
        label="Initiative de l'inscription (facultatif)",
        choices=_choices(v.INITIATIVES, "Non précisée"),
        required=False,
    )
    enrolment_date = _date("Date d'inscription (facultatif)")
    identity_kind = forms.ChoiceField(
        label="Comment identifiez-vous le titulaire ?",
        choices=v.IDENTITY_KINDS,
        widget=forms.RadioSelect,
        initial="holder",
    )
    birth_name = _text("Nom de naissance", 60)
    usage_name = _text("Nom d'usage (facultatif)", 60)
    first_name1 = _text("Prénom", 60)
    first_name2 = _text("Deuxième prénom (facultatif)", 60)
    first_name3 = _text("Troisième prénom (facultatif)", 60)
    sex = forms.ChoiceField(label="Sexe", choices=v.SEXES, widget=forms.RadioSelect, required=False)
    birth_year = forms.IntegerField(
        label="Année de naissance", required=False, min_value=1900, max_value=2099
    )
    birth_month = forms.IntegerField(
        label="Mois de naissance (facultatif)", required=False, min_value=1, max_value=12
    )
    birth_day = forms.IntegerField(
        label="Jour de naissance (facultatif)", required=False, min_value=1, max_value=31
    )
    birth_place_kind = forms.ChoiceField(
        label="Lieu de naissance",
        choices=[
            ("insee", "En France : code INSEE de la commune"),
            ("postal", "En France : code postal de la commune"),
            ("abroad", "À l'étranger"),
        ],
        widget=forms.RadioSelect,
        required=False,
        initial="insee",
    )
    birth_insee = _text("Code INSEE de la commune de naissance", 5, help_text="5 caractères.")
    birth_postal_code = _text("Code postal de la commune de naissance", 9)
    birth_country_code = _text(
        "Code INSEE du pays de naissance",
        5,
        help_text="5 chiffres commençant par 99 (ex. : 99134 pour l'Espagne).",
    )
    birth_town = _text("Commune de naissance (facultatif)", 60)
    birth_country_label = _text("Pays de naissance (facultatif)", 60)
    nir = _text(
        "NIR (sans la clé)",
        13,
        help_text="13 caractères : sexe, année, mois, département (2A/2B), commune, rang.",
    )
    nir_birth_name = _text("Nom de naissance", 60)
    dossier_id = _text("Identifiant du dossier de formation CPF", 13)
    dossier_name = _text("Nom du titulaire dans le dossier", 30)
    dossier_first_name = _text("Prénom du titulaire dans le dossier", 20)

    def __init__(self, *args, routes=(), fiches=(), passage=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.passage = passage
        self.kept_nir = ""
        for index in range(1, DIGITAL_ROWS + 1):
            self.fields[f"digital_level_{index}"] = forms.IntegerField(
                label=f"Compétence {index} : niveau", required=False, min_value=1, max_value=8
            )
            self.fields[f"digital_domain_{index}"] = forms.ChoiceField(
                label=f"Compétence {index} : domaine",
                choices=_choices(v.DIGITAL_DOMAINS, "Choisir"),
                required=False,
            )
            self.fields[f"digital_competence_{index}"] = _text(
                f"Compétence {index} : numéro", 1, help_text="Un chiffre."
            )
        self.fields["route"].choices = [(route.key, route.label) for route in routes]
        self.fields["certification"].choices = [("", "Choisir une certification")] + [
            (number, f"{number} – {title}") for number, title in fiches
        ]
        if passage is not None:
            del self.fields["route"]
            # The version the form was shown with: a modification is only written over
            # that very version (deposits and colleagues may change the passage meanwhile).
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=passage.content_hash
            )
            self.fields["id_technique"].disabled = True
            self.fields["id_technique"].help_text = "L'identifiant d'un passage ne change pas."
            if passage.identity_kind == "national_id":
                self.kept_nir = (passage.identity or {}).get("nir", "")
                self.fields[
                    "nir"
                ].help_text = (
                    f"Enregistré : {v.mask_nir(self.kept_nir)}. Laissez vide pour le garder."
                )
        elif len(routes) == 1:
            self.fields["route"].widget = forms.HiddenInput()
            self.fields["route"].initial = routes[0].key
        self.show_if = {
            name: f"{control}={'|'.join(values)}" for name, (control, values) in CONDITIONS.items()
        }

    @property
    def digital_fields(self):
        return [
            self[f"digital_{part}_{index}"]
            for index in range(1, DIGITAL_ROWS + 1)
            for part in ("level", "domain", "competence")
        ]

    # -------------------------------------------------------------- from a passage

    @classmethod
    def initial_from(cls, passage) -> dict:
        fields, identity = passage.fields or {}, passage.identity or {}

        def yes_no(value):
            return "oui" if value else "non"

        initial = {
            "certification": passage.certification.number
            if passage.certification
            else passage.certification_code,
            "id_technique": passage.id_technique,
            "identity_kind": passage.identity_kind or "holder",
        }
        for key in (
            "obtained_by",
            "exam_start",
            "exam_end",
            "exam_mode",
            "exam_centre_postal_code",
            "valid_from",
            "valid_until",
            "language_level",
            "score",
            "honours",
            "option_label",
            "proof_url",
            "verbatim",
        ):
            if fields.get(key) is not None:
                initial[key] = fields[key]
        for key in ("certified_data", "has_language_level", "has_digital_level"):
            if key in fields:
                initial[key] = yes_no(fields[key])
        digital = fields.get("digital_level") or {}
        initial["overall_score"] = digital.get("overall_score")
        for index, result in enumerate(digital.get("results") or [], 1):
            if index > DIGITAL_ROWS:
                break
            initial[f"digital_level_{index}"] = result.get("level")
            initial[f"digital_domain_{index}"] = result.get("domain")
            initial[f"digital_competence_{index}"] = result.get("competence")
        enrolment = fields.get("enrolment") or {}
        for key in ("access_mode", "vae_route", "initiative", "enrolment_date"):
            if enrolment.get(key) is not None:
                initial[key] = enrolment[key]
        if passage.identity_kind == "national_id":
            initial["nir_birth_name"] = identity.get("birth_name")
        elif passage.identity_kind == "dossier":
            for key in ("dossier_id", "dossier_name", "dossier_first_name"):
                initial[key] = identity.get(key)
        else:
            for key in (
                "birth_name",
                "usage_name",
                "first_name1",
                "first_name2",
                "first_name3",
                "sex",
                "birth_year",
                "birth_month",
                "birth_day",
                "birth_town",
                "birth_country_label",
            ):
                if identity.get(key) is not None:
                    initial[key] = identity[key]
            insee = identity.get("birth_insee") or ""
            if insee.startswith("99"):
                initial["birth_place_kind"], initial["birth_country_code"] = "abroad", insee
            elif insee:
                initial["birth_place_kind"], initial["birth_insee"] = "insee", insee
            else:
                initial["birth_place_kind"] = "postal"
                initial["birth_postal_code"] = identity.get("birth_postal_code")
        return initial

    # -------------------------------------------------------------- rules

    def _require(self, data, *names, message="Ce champ est obligatoire."):
        for name in names:
            if data.get(name) in (None, ""):
                self.add_error(name, message)

    def clean(self):
        data = super().clean()
        if self.passage is not None and not (data.get("version") or "").strip():
            self.add_error(None, MISSING_VERSION)
        if data.get("has_language_level") == "oui":
            self._require(
                data,
                "language_level",
                message="Choisissez le niveau, puisqu'un niveau de langue est attesté.",
            )
        if data.get("access_mode") == "VAE":
            self._require(
                data, "vae_route", message="Choisissez la voie d'accès, puisque l'accès est la VAE."
            )
        start, end = data.get("exam_start"), data.get("exam_end")
        if start and end and end < start:
            self.add_error("exam_end", "La fin de l'examen ne peut pas précéder son début.")
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error(
                "valid_until", "La fin de validité ne peut pas précéder le début de validité."
            )
        kind = data.get("identity_kind")
        if kind == "holder":
            self._require(data, "birth_name", "first_name1", "sex", "birth_year")
            place = data.get("birth_place_kind") or "insee"
            if place == "insee":
                insee = (data.get("birth_insee") or "").strip().upper()
                if len(insee) != 5:
                    self.add_error("birth_insee", "Le code INSEE compte 5 caractères.")
                elif insee.startswith("99"):
                    self.add_error(
                        "birth_insee",
                        "Un code commençant par 99 est celui d'un pays : choisissez « À "
                        "l'étranger ».",
                    )
            elif place == "abroad":
                code = (data.get("birth_country_code") or "").strip()
                if not re.fullmatch(r"99\d{3}", code):
                    self.add_error(
                        "birth_country_code",
                        "Le code INSEE d'un pays compte 5 chiffres et commence par 99.",
                    )
        elif kind == "national_id":
            nir = (data.get("nir") or "").strip().upper().replace(" ", "")
            if not nir and self.kept_nir:
                nir = self.kept_nir
            if not NIR_RE.match(nir):
                self.add_error(
                    "nir",
                    "Le NIR compte 13 caractères, sans la clé (ex. : 1900575056123) : vérifiez-le.",
                )
            data["nir"] = nir
            self._require(data, "nir_birth_name")
        elif kind == "dossier":
            self._require(data, "dossier_id", "dossier_name", "dossier_first_name")
        return data

    # -------------------------------------------------------------- to the writer's shape

    def to_data(self, id_technique: str) -> dict:
        """The passage in code names, the shape writer.passage_xml takes."""
        data = self.cleaned_data

        def text(name):
            value = (data.get(name) or "").strip()
            return value or None

        def day(name):
            value = data.get(name)
            return value.isoformat() if value else None

        fields = {
            "obtained_by": data["obtained_by"],
            "certified_data": data["certified_data"] == "oui",
            "valid_from": day("valid_from"),
            "valid_until": day("valid_until"),
            "has_language_level": data["has_language_level"] == "oui",
            "has_digital_level": data["has_digital_level"] == "oui",
            "score": text("score"),
            "honours": data.get("honours") or None,
        }
        optional = {
            "exam_start": day("exam_start"),
            "exam_end": day("exam_end"),
            "exam_mode": data.get("exam_mode") or None,
            "exam_centre_postal_code": text("exam_centre_postal_code"),
            "option_label": text("option_label"),
            "proof_url": text("proof_url"),
            "verbatim": text("verbatim"),
        }
        fields.update({key: value for key, value in optional.items() if value is not None})
        if fields["has_language_level"]:
            fields["language_level"] = data["language_level"]
        if fields["has_digital_level"]:
            digital = {}
            if data.get("overall_score"):
                digital["overall_score"] = data["overall_score"]
            results = []
            for index in range(1, DIGITAL_ROWS + 1):
                row = {
                    "level": data.get(f"digital_level_{index}"),
                    "domain": data.get(f"digital_domain_{index}") or None,
                    "competence": text(f"digital_competence_{index}"),
                }
                if any(value is not None for value in row.values()):
                    results.append(row)
            if results:
                digital["results"] = results
            fields["digital_level"] = digital
        enrolment = {
            "access_mode": data.get("access_mode") or None,
            "vae_route": data.get("vae_route") or None
            if data.get("access_mode") == "VAE"
            else None,
            "initiative": data.get("initiative") or None,
            "enrolment_date": day("enrolment_date"),
        }
        if any(value is not None for value in enrolment.values()):
            fields["enrolment"] = {
                key: value
                for key, value in enrolment.items()
                if value is not None or key == "access_mode"
            }
        kind = data["identity_kind"]
        if kind == "national_id":
            identity = {"nir": data["nir"], "birth_name": text("nir_birth_name")}
        elif kind == "dossier":
            identity = {
                "dossier_id": text("dossier_id"),
                "dossier_name": text("dossier_name"),
                "dossier_first_name": text("dossier_first_name"),
            }
        else:
            identity = {
                "birth_name": text("birth_name"),
                "usage_name": text("usage_name"),
                "first_name1": text("first_name1"),
                "birth_year": data.get("birth_year"),
                "birth_month": data.get("birth_month"),
                "birth_day": data.get("birth_day"),
                "sex": data.get("sex"),
            }
            for key in ("first_name2", "first_name3"):
                if text(key):
                    identity[key] = text(key)
            place = data.get("birth_place_kind") or "insee"
            if place == "insee":
                identity["birth_insee"] = text("birth_insee").upper()
            elif place == "abroad":
                code = text("birth_country_code")
                identity["birth_insee"] = code
                identity["birth_country"] = code[2:]
                if text("birth_country_label"):
                    identity["birth_country_label"] = text("birth_country_label")
            else:
                identity["birth_postal_code"] = text("birth_postal_code")
            if text("birth_town"):
                identity["birth_town"] = text("birth_town")
        return {
            "id_technique": id_technique,
            "fields": fields,
            "identity_kind": kind,
            "identity": identity,
        }


STATUS_FILTERS = [
    ("", "Acceptés et refusés"),
    (PassageStatus.OK, "Acceptés (OK)"),
    (PassageStatus.KO, "Refusés (KO)"),
    (PassageStatus.DELETED, "Supprimés"),
]
SORT_LABELS = {
    "-recu": "Reçus le plus récemment",
    "recu": "Reçus le plus anciennement",
    "id": "idTechnique (A → Z)",
    "titulaire": "Titulaire (A → Z)",
    "-validite": "Début de validité (récent d'abord)",
    "validite": "Début de validité (ancien d'abord)",
}


def _shown(label, widget=None):
    """A field that only shows and gives back what was typed: the list's filters are
    read and checked by the domain (`read_filters`), the same for the web and the API."""
    return forms.CharField(label=label, required=False, widget=widget)


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class PassageFilterForm(DsfrForm):
    q = _shown("idTechnique ou nom du titulaire", forms.TextInput(attrs={"maxlength": 255}))
    certification = _shown("Certification", forms.Select)
    statut = _shown("Statut", forms.Select(choices=STATUS_FILTERS))
    depot = _shown("Dépôt n°", forms.NumberInput(attrs={"min": 1}))
    valide_du = _shown("Début de validité à partir du", _date_input())
    valide_au = _shown("Début de validité jusqu'au", _date_input())
    obtention = _shown("Obtention", forms.Select(choices=_choices(v.OBTAINED_BY, "Toutes")))
    acces = _shown("Modalité d'accès", forms.Select(choices=_choices(v.ACCESS_MODES, "Toutes")))
    tri = _shown("Trier par", forms.Select(choices=[(key, SORT_LABELS[key]) for key in SORTS]))

    def __init__(self, *args, certifications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = "Un idTechnique exact ouvre directement le passage."
        self.fields["certification"].widget.choices = [("", "Toutes")] + [
            (code, code) for code in certifications
        ]
        self.filters, self.filter_errors = read_filters(self.data)

    def clean(self):
        data = super().clean()
        for name, message in self.filter_errors.items():
            self.add_error(name if name in self.fields else None, message)
        return data
