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
from opencertif.deposits.format import fields as f
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
    for _field in f.of_group(f.RESULT):
        CONDITIONS[f"{_field.form.name}_{_index}"] = ("has_digital_level", ("oui",))


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


def _form_field(field: f.Field, *, label: str = "") -> forms.Field:
    """The form's field for one passage field: its kind, vocabulary, limits and whether
    it is required come from the table (format/fields.py), its wording from its `Form`."""
    spec = field.form
    label = label or spec.label or field.label
    required = spec.required
    if required is None:
        # A field shown on condition is checked by `clean`, the condition known.
        required = field.required and (spec.name or field.key) not in CONDITIONS
    if field.kind == f.BOOLEAN or field.choices:
        # Booleans and short vocabularies as buttons, the others as a list with its
        # choice "nothing" when optional.
        radio = field.kind == f.BOOLEAN or spec.radio
        choices = YES_NO if field.kind == f.BOOLEAN else field.choices
        return forms.ChoiceField(
            label=label,
            choices=choices if radio else _choices(choices, spec.empty),
            widget=forms.RadioSelect if radio else None,
            required=required,
            help_text=spec.help,
        )
    if field.kind == f.INTEGER:
        return forms.IntegerField(
            label=label,
            required=required,
            min_value=field.min_value,
            max_value=field.max_value,
            help_text=spec.help,
        )
    if field.kind == f.DATE:
        return _date(label, required=required, help_text=spec.help or "Format JJ/MM/AAAA")
    return _text(label, field.max_length, required=required, help_text=spec.help)


def _offered_in(group: str) -> tuple[f.Field, ...]:
    return tuple(field for field in _OFFERED if field.group == group)


# The passage fields the form offers (the results of the digital level are repeated rows,
# added per form).
_OFFERED = tuple(field for field in f.FIELDS if isinstance(field.form, f.Form))
_RESULT = tuple(field for field in _OFFERED if field.group == f.RESULT)
TableFields = type(
    "TableFields",
    (DsfrForm,),
    {field.form_name: _form_field(field) for field in _OFFERED if field.group != f.RESULT},
)


class PassageForm(TableFields):
    """Every datum of a passage of certification, grouped as on the official form: the
    passage fields of the table, and what the form asks to fill them (the certification,
    how the holder is identified, where they were born)."""

    route = forms.ChoiceField(label="Certificateur", required=False)
    certification = forms.ChoiceField(label="Certification")
    identity_kind = forms.ChoiceField(
        label="Comment identifiez-vous le titulaire ?",
        choices=v.IDENTITY_KINDS,
        widget=forms.RadioSelect,
        initial="holder",
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
    # The INSEE code of the country, from which the form writes the birth INSEE code and
    # the 3-digit country code.
    birth_country_code = _text(
        "Code INSEE du pays de naissance",
        5,
        help_text="5 chiffres commençant par 99 (ex. : 99134 pour l'Espagne).",
    )

    def __init__(self, *args, routes=(), fiches=(), passage=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.passage = passage
        self.kept_nir = ""
        for index in range(1, DIGITAL_ROWS + 1):
            for field in _RESULT:
                self.fields[f"{field.form_name}_{index}"] = _form_field(
                    field, label=f"Compétence {index} : {field.form.label}"
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
            self[f"{field.form_name}_{index}"]
            for index in range(1, DIGITAL_ROWS + 1)
            for field in _RESULT
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
        for field in _offered_in(f.PASSAGE):
            if field.key == "id_technique":
                continue
            if field.kind == f.BOOLEAN:
                if field.key in fields:
                    initial[field.key] = yes_no(fields[field.key])
            elif fields.get(field.key) is not None:
                initial[field.key] = fields[field.key]
        digital = fields.get("digital_level") or {}
        initial["overall_score"] = digital.get("overall_score")
        for index, result in enumerate(digital.get("results") or [], 1):
            if index > DIGITAL_ROWS:
                break
            for field in _RESULT:
                initial[f"{field.form_name}_{index}"] = result.get(field.key)
        enrolment = fields.get(f.ENROLMENT) or {}
        for field in _offered_in(f.ENROLMENT):
            if enrolment.get(field.key) is not None:
                initial[field.key] = enrolment[field.key]
        if passage.identity_kind == "national_id":
            # The NIR is never shown again: its field says it is kept when left empty.
            for field in _offered_in(f.NATIONAL_ID):
                if field.key != "nir":
                    initial[field.form_name] = identity.get(field.key)
        elif passage.identity_kind == "dossier":
            for field in _offered_in(f.DOSSIER):
                initial[field.form_name] = identity.get(field.key)
        else:
            for field in _offered_in(f.HOLDER):
                if identity.get(field.key) is not None:
                    initial[field.form_name] = identity[field.key]
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

        def value(field, name=""):
            name = name or field.form_name
            if field.kind == f.BOOLEAN:
                return data.get(name) == "oui"
            if field.kind == f.DATE:
                return day(name)
            if field.kind == f.INTEGER:
                return data.get(name)
            if field.choices:
                return data.get(name) or None
            return text(name)

        def applies(field):
            control, values = CONDITIONS.get(field.form_name, (None, ()))
            return control is None or data.get(control) in values

        # A field the schema or a CREATION requires, or nil when unknown, is always sent;
        # another one when given, and only when its condition holds.
        fields = {}
        for field in _offered_in(f.PASSAGE):
            if field.key == "id_technique" or not applies(field):
                continue
            given = value(field)
            if field.required or field.nillable or field.key in CONDITIONS or given is not None:
                fields[field.key] = given
        if fields["has_digital_level"]:
            digital = {}
            if data.get("overall_score"):
                digital["overall_score"] = data["overall_score"]
            results = []
            for index in range(1, DIGITAL_ROWS + 1):
                row = {field.key: value(field, f"{field.form_name}_{index}") for field in _RESULT}
                if any(value is not None for value in row.values()):
                    results.append(row)
            if results:
                digital["results"] = results
            fields[f.DIGITAL] = digital
        enrolment = {
            field.key: value(field) if applies(field) else None
            for field in _offered_in(f.ENROLMENT)
        }
        if any(value is not None for value in enrolment.values()):
            # The access mode is required inside the enrolment (nil when unknown).
            fields[f.ENROLMENT] = {
                key: value
                for key, value in enrolment.items()
                if value is not None or f.BY_KEY[key].schema_required
            }
        kind = data["identity_kind"]
        if kind in (f.NATIONAL_ID, f.DOSSIER):
            identity = {field.key: value(field) for field in _offered_in(kind)}
        else:
            identity = {}
            for field in _offered_in(f.HOLDER):
                given = value(field) if applies(field) else None
                if field.schema_required or given is not None:
                    identity[field.key] = given
            place = data.get("birth_place_kind") or "insee"
            if place == "insee":
                identity["birth_insee"] = text("birth_insee").upper()
            elif place == "abroad":
                code = text("birth_country_code")
                identity["birth_insee"] = code
                identity["birth_country"] = code[2:]
            else:
                identity["birth_postal_code"] = text("birth_postal_code")
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
