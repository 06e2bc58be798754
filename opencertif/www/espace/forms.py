from django import forms
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as siret_number

from opencertif.deposits.enums import Situation
from opencertif.organisations.enums import ALWAYS_NEED_MANDATE, OrganisationKind, Role
from opencertif.organisations.services import mandate_date_problem
from opencertif.www.forms import DsfrForm, PasswordPairMixin

YES_NO = [("oui", "Oui"), ("non", "Non")]


def clean_siret(raw: str) -> str:
    digits = "".join((raw or "").split())
    if not digits.isdigit() or len(digits) != 14:
        raise forms.ValidationError(
            "Le SIRET compte 14 chiffres (les espaces sont acceptés) : vérifiez la saisie."
        )
    try:
        siret_number.validate(digits)
    except StdnumError as exc:
        raise forms.ValidationError(
            "Ce SIRET n'est pas valide (sa clé de contrôle ne correspond pas) : vérifiez-le "
            "sur l'extrait Kbis ou sur annuaire-entreprises.data.gouv.fr."
        ) from exc
    return digits


class KindForm(DsfrForm):
    kind = forms.ChoiceField(
        label="Type d'organisme",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Les universités et les écoles ne sont pas des ministères : choisissez "
            "« Établissement d'enseignement supérieur » ; les autres établissements publics "
            "(lycées, GRETA, chambres consulaires…) : « Autre établissement public »."
        ),
    )


class SiretForm(DsfrForm):
    has_siret = forms.ChoiceField(
        label="L'organisme a-t-il un numéro SIRET ?", choices=YES_NO, widget=forms.RadioSelect
    )
    siret = forms.CharField(
        label="SIRET",
        required=False,
        max_length=20,
        help_text=(
            "14 chiffres. Universités et établissements publics : indiquez le SIRET de votre "
            "siège, pas celui d'une composante."
        ),
    )
    name = forms.CharField(label="Raison sociale", required=False, max_length=255)
    commercial_name = forms.CharField(
        label="Nom commercial (s'il diffère)", required=False, max_length=255
    )
    legal_form = forms.CharField(label="Forme juridique", required=False, max_length=100)
    address = forms.CharField(label="Adresse", required=False, max_length=255)
    postal_code = forms.CharField(label="Code postal", required=False, max_length=10)
    city = forms.CharField(label="Commune", required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("has_siret") == "oui":
            try:
                data["siret"] = clean_siret(data.get("siret", ""))
            except forms.ValidationError as exc:
                self.add_error("siret", exc)
            if not data.get("name"):
                self.add_error("name", "Indiquez la raison sociale, telle qu'elle figure au SIRET.")
        elif data.get("has_siret") == "non":
            for name, message in (
                ("name", "Indiquez le nom de l'organisme."),
                ("legal_form", "Indiquez la forme juridique (association, établissement…)."),
                ("address", "Indiquez l'adresse de l'organisme."),
                ("postal_code", "Indiquez le code postal."),
                ("city", "Indiquez la commune."),
            ):
                if not data.get(name):
                    self.add_error(name, message)
            data["siret"] = ""
        return data


class DocumentsForm(DsfrForm):
    legal_proof = forms.FileField(label="Justificatif d'existence légale", required=False)
    requester_named_on_proof = forms.ChoiceField(
        label="Votre nom figure-t-il sur ce justificatif (comme représentant légal) ?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    mandate = forms.FileField(
        label="Délégation de mandat vous désignant « administrateur entité »", required=False
    )
    mandate_date = forms.DateField(
        label="Date de signature de la délégation",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Elle doit dater de moins de 3 mois.",
    )

    def __init__(self, *args, account_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.account_request = account_request
        self.fields["legal_proof"].label = account_request.legal_proof_label
        for name in ("legal_proof", "mandate"):
            self.fields[name].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean(self):
        data = super().clean()
        request = self.account_request
        if not data.get("legal_proof") and not request.documents_of("legal_proof").exists():
            self.add_error("legal_proof", "Joignez le justificatif (PDF, JPEG ou PNG).")
        named = data.get("requester_named_on_proof") == "oui"
        always = request.kind in ALWAYS_NEED_MANDATE
        needs_mandate = always or not named
        if needs_mandate:
            if not data.get("mandate") and not request.documents_of("mandate").exists():
                self.add_error(
                    "mandate",
                    "La délégation de mandat est obligatoire ici : "
                    + (
                        "c'est toujours le cas pour un ministère ou un établissement public."
                        if always
                        else "votre nom ne figure pas sur le justificatif."
                    ),
                )
            mandate_date = data.get("mandate_date") or request.mandate_date
            if mandate_date is None:
                self.add_error("mandate_date", "Indiquez la date de la délégation.")
            else:
                problem = mandate_date_problem(mandate_date)
                if problem:
                    self.add_error("mandate_date", problem)
        data["needs_mandate"] = needs_mandate
        return data


class IdentityForm(PasswordPairMixin, DsfrForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    job_title = forms.CharField(label="Fonction dans l'organisme", max_length=150)
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text=(
            "Le lien d'activation y sera envoyé ; c'est aussi votre identifiant de connexion."
        ),
    )
    phone = forms.CharField(label="Téléphone", max_length=30)
    field_order = [
        "first_name",
        "last_name",
        "job_title",
        "email",
        "phone",
        "password1",
        "password2",
    ]


class JoinForm(IdentityForm):
    siret = forms.CharField(
        label="SIRET de l'organisme à rejoindre",
        max_length=20,
        help_text="14 chiffres ; pour une université ou un établissement public, celui du siège.",
    )
    message = forms.CharField(
        label="Message aux gestionnaires (facultatif)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["siret", *IdentityForm.field_order, "message"]

    def clean_siret(self):
        return clean_siret(self.cleaned_data["siret"])


class InvitationAcceptForm(PasswordPairMixin, DsfrForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def password_user(self):
        user = super().password_user()
        user.email = self.email
        return user


class InviteForm(DsfrForm):
    email = forms.EmailField(label="Adresse électronique de votre collègue")
    role = forms.ChoiceField(
        label="Rôle",
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text="Gestionnaire : gère les membres, les droits de dépôt et les jetons d'API. "
        "Membre : dépose et tient à jour les passages. Lecteur : consulte les pages de "
        "l'organisme sans rien modifier.",
    )


class ReasonForm(DsfrForm):
    reason = forms.CharField(
        label="Motif (envoyé au demandeur)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ActivationForm(DsfrForm):
    situation = forms.ChoiceField(
        label="Votre situation", choices=Situation.choices, widget=forms.RadioSelect
    )
    id_client = forms.CharField(
        label="Votre idClient de certificateur", required=False, max_length=20
    )
    id_contract = forms.CharField(label="Votre idContrat", required=False, max_length=30)
    depositor_id_client = forms.CharField(
        label="Votre idClient de déposant", required=False, max_length=20
    )
    certifier_id_clients = forms.CharField(
        label="idClient du ou des certificateurs pour lesquels vous déposez",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Un idClient par ligne ; un seul pour un tiers déposant.",
    )

    def clean(self):
        data = super().clean()
        situation = data.get("situation")
        if situation in (Situation.SELF, Situation.CERTIFIER_AND_DEPOSITOR):
            if not data.get("id_client"):
                self.add_error("id_client", "Indiquez votre idClient de certificateur.")
            if not data.get("id_contract"):
                self.add_error("id_contract", "Indiquez votre idContrat.")
        if situation in (Situation.CERTIFIER_AND_DEPOSITOR, Situation.THIRD_PARTY):
            if not data.get("depositor_id_client"):
                self.add_error("depositor_id_client", "Indiquez votre idClient de déposant.")
            if not data.get("certifier_id_clients", "").strip():
                self.add_error(
                    "certifier_id_clients", "Indiquez l'idClient d'au moins un certificateur."
                )
        data["certifier_list"] = data.get("certifier_id_clients", "").split()
        return data
