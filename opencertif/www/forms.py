"""Form helpers shared by the spaces: DSFR widgets and French messages."""

from django import forms
from django.contrib.auth import password_validation

from opencertif.accounts import passwords
from opencertif.accounts.models import User


class DsfrForm(forms.Form):
    """Adds the DSFR classes to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "fr-select")
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            elif isinstance(widget, forms.FileInput):
                widget.attrs.setdefault("class", "fr-upload")
            else:
                widget.attrs.setdefault("class", "fr-input")


class PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=passwords.HELP_TEXT,
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif first:
            try:
                password_validation.validate_password(first, self.password_user())
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def password_user(self):
        """A user-like object for the similarity check (email, names)."""
        data = self.cleaned_data
        return User(
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
