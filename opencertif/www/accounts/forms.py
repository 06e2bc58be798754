"""Forms of « Mon compte »."""

from django import forms
from django.contrib.auth import forms as auth_forms

from opencertif.accounts import passwords
from opencertif.www.forms import DsfrForm


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Mot de passe actuel incorrect : vérifiez la saisie.",
        "password_mismatch": "Les deux mots de passe ne sont pas identiques.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Mot de passe actuel"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].label = "Nouveau mot de passe"
        self.fields["new_password1"].help_text = passwords.HELP_TEXT
        self.fields["new_password2"].label = "Confirmation du nouveau mot de passe"
        for field in self.fields.values():
            field.widget.attrs["class"] = "fr-input"


class EmailChangeForm(DsfrForm):
    email = forms.EmailField(
        label="Nouvelle adresse électronique",
        help_text=(
            "Un lien de confirmation, valable 24 heures, y sera envoyé ; votre compte garde "
            "son adresse actuelle jusqu'à ce que vous l'ouvriez."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise forms.ValidationError("C'est déjà l'adresse de votre compte.")
        return email

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("Mot de passe actuel incorrect : vérifiez la saisie.")
        return password
