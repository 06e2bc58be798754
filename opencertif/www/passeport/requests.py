"""The holder's requests to certifiers: report an error on a guaranteed certification,
report a missing certification, follow the requests and their answers.

A holder reaches only their own passages (another holder's, or one that left their
passport, answers 404); the rules live in `passports.requests`.
"""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from opencertif.passports import requests as service
from opencertif.passports.enums import CorrectedField, MatchOutcome
from opencertif.registry.models import Certification
from opencertif.registry.search import SearchParams, search
from opencertif.www.accounts.links import site_url
from opencertif.www.forms import DsfrForm
from opencertif.www.passeport.access import holder_required

UNKNOWN_CERTIFIER = "inconnu"
MIN_SEARCH_LENGTH = 3
SUGGESTIONS = 10


class ReportErrorForm(DsfrForm):
    fields_to_correct = forms.MultipleChoiceField(
        label="Qu'est-ce qui est inexact ?",
        choices=CorrectedField.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un élément à corriger."},
    )
    message = forms.CharField(
        label="Votre message au certificateur",
        help_text="Indiquez la bonne information (par exemple le nom ou la date exacts).",
        max_length=service.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Écrivez un message : dites au certificateur ce qui est inexact."
        },
    )


def suggestions_for(text: str) -> list:
    """Fiches of the registry whose number or title match what the holder typed (the
    registry's own search, active or not: a certification obtained years ago may be
    inactive today)."""
    if len(text) < MIN_SEARCH_LENGTH:
        return []
    return search(SearchParams(q=text, active_only=False, per_page=SUGGESTIONS)).items


class CertificationForm(DsfrForm):
    suggestions: list = []

    certification = forms.CharField(
        label="Numéro ou intitulé de la certification",
        help_text="Par exemple RNCP34762, RS5678 ou « comptabilité » : le numéro figure en "
        "tête de la fiche du répertoire.",
        max_length=200,
        error_messages={
            "required": "Saisissez le numéro de la fiche (RNCP… ou RS…) ou son intitulé."
        },
    )

    def clean_certification(self):
        typed = " ".join(self.cleaned_data["certification"].split())
        found = Certification.objects.filter(number=typed.replace(" ", "").upper()).first()
        if found is None:
            self.suggestions = suggestions_for(typed)
            if self.suggestions:
                raise forms.ValidationError(
                    "Choisissez votre certification parmi les fiches trouvées ci-dessous."
                )
            raise forms.ValidationError(
                f"Aucune fiche « {typed} » au répertoire : vérifiez le numéro (RNCP… ou RS…) "
                "ou essayez d'autres mots de l'intitulé."
            )
        return found


class ReportMissingForm(CertificationForm):
    certifier = forms.ChoiceField(
        label="Quel organisme vous a délivré cette certification ?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l'organisme, ou « Je ne sais pas ».",
            "invalid_choice": "Choisissez l'organisme dans la liste, ou « Je ne sais pas ».",
        },
    )
    message = forms.CharField(
        label="Votre message",
        help_text="Indiquez l'année d'obtention et, si vous le connaissez, le lieu de la session.",
        max_length=service.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Écrivez un message : dites quand vous l'avez obtenue."},
    )

    def __init__(self, *args, certification: Certification, **kwargs):
        super().__init__(*args, **kwargs)
        self.certifiers = list(service.certifiers_of(certification))
        self.fields["certification"].widget = forms.HiddenInput()
        self.fields["certifier"].choices = [
            (str(organisation.pk), organisation.display_name) for organisation in self.certifiers
        ] + [(UNKNOWN_CERTIFIER, "Je ne sais pas")]

    def chosen_certifier(self):
        chosen = self.cleaned_data["certifier"]
        return next((o for o in self.certifiers if str(o.pk) == chosen), None)


@holder_required
def report_error(request, pk: int):
    holder = request.holder
    passage = (
        service.guaranteed_passages(holder)
        .select_related("certification", "certifier__organisation")
        .filter(pk=pk)
        .first()
    )
    if passage is None:
        raise Http404("Cette certification ne figure pas dans votre passeport.")
    form = ReportErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.report_error(
                holder=holder,
                passage=passage,
                fields=form.cleaned_data["fields_to_correct"],
                message=form.cleaned_data["message"],
                site_url=site_url(request),
            )
        except service.RequestError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Votre demande est envoyée à {passage.certifier.organisation.display_name}. "
                "Il a trois mois pour vous répondre.",
            )
            return redirect("passeport:requests")
    return render(request, "passeport/report_error.html", {"passage": passage, "form": form})


@holder_required
def report_missing(request):
    holder = request.holder
    if request.method == "POST":
        lookup = CertificationForm(request.POST)
    else:
        lookup = CertificationForm(request.GET or None)
    if not lookup.is_valid():
        return render(request, "passeport/report_missing.html", {"lookup": lookup, "form": None})
    certification = lookup.cleaned_data["certification"]
    form = ReportMissingForm(
        request.POST if request.method == "POST" else None,
        certification=certification,
        initial={"certification": certification.number},
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = service.report_missing(
                holder=holder,
                certification=certification,
                organisation=form.chosen_certifier(),
                message=form.cleaned_data["message"],
                site_url=site_url(request),
            )
        except service.RequestError as error:
            form.add_error(None, str(error))
        else:
            to = (
                made.organisation.display_name if made.organisation else "l'équipe de la plateforme"
            )
            messages.success(request, f"Votre demande est envoyée à {to}.")
            return redirect("passeport:requests")
    return render(
        request,
        "passeport/report_missing.html",
        {
            "lookup": lookup,
            "form": form,
            "certification": certification,
            "to_staff": holder.match_outcome != MatchOutcome.MATCHED,
        },
    )


@holder_required
def requests(request):
    rows = request.holder.requests.select_related(
        "certification", "organisation", "passage"
    ).order_by("-created_at", "-id")
    return render(request, "passeport/requests.html", {"rows": rows})
