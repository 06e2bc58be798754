"""The passport's forms: declarative entries, CVs, share links."""

from django import forms

from opencertif.passports.enums import ExperienceKind, HiddenField
from opencertif.passports.services import SHARE_DAYS_DEFAULT, SHARE_DAYS_MAX
from opencertif.www.forms import DsfrForm


class ExperienceForm(DsfrForm):
    kind = forms.ChoiceField(label="Type", choices=ExperienceKind.choices)
    title = forms.CharField(
        label="Intitulé", max_length=200, help_text="Par exemple : Technicienne de maintenance"
    )
    organisation = forms.CharField(label="Employeur ou organisme", max_length=200, required=False)
    place = forms.CharField(label="Lieu", max_length=120, required=False)
    start_date = forms.DateField(
        label="Début",
        help_text="Format : jj/mm/aaaa",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label="Fin",
        required=False,
        help_text="Laissez vide si elle est en cours.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin précède la date de début : corrigez-la.")
        return data


class CvForm(DsfrForm):
    title = forms.CharField(
        label="Titre du CV", max_length=120, help_text="Par exemple : Comptable – CV 2026"
    )
    summary = forms.CharField(
        label="Résumé",
        required=False,
        help_text="Quelques lignes qui vous présentent.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    passages = forms.TypedMultipleChoiceField(
        label="Certifications garanties",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez parmi vos certifications obtenues."},
    )
    experiences = forms.TypedMultipleChoiceField(
        label="Parcours déclaratif",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez parmi vos entrées de parcours."},
    )

    def __init__(self, *args, guaranteed, experiences, **kwargs):
        super().__init__(*args, **kwargs)
        self.guaranteed = guaranteed
        self.experience_rows = experiences
        self.fields["passages"].choices = [(e.passage_id, e.title) for e in guaranteed]
        self.fields["experiences"].choices = [(e.pk, e.title) for e in experiences]

    def selected(self, name) -> set[int]:
        if self.is_bound:
            return {int(v) for v in self.data.getlist(name) if str(v).isdigit()}
        return set(self.initial.get(name) or ())


class ShareForm(DsfrForm):
    days = forms.IntegerField(
        label="Durée de validité (en jours)",
        min_value=1,
        max_value=SHARE_DAYS_MAX,
        initial=SHARE_DAYS_DEFAULT,
        help_text=f"De 1 à {SHARE_DAYS_MAX} jours.",
        error_messages={
            "min_value": f"Indiquez une durée de 1 à {SHARE_DAYS_MAX} jours.",
            "max_value": f"Indiquez une durée de 1 à {SHARE_DAYS_MAX} jours.",
            "invalid": "Indiquez un nombre de jours.",
            "required": "Indiquez une durée en jours.",
        },
    )
    hidden_fields = forms.MultipleChoiceField(
        label="Masquer dans la vue en ligne",
        choices=HiddenField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
