from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Adresse électronique ou identifiant",
        help_text="L'identifiant de 9 caractères figure dans le courriel de validation.",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": (
            "Identifiants incorrects. Vérifiez votre adresse électronique ou votre identifiant "
            "et votre mot de passe (les majuscules comptent dans le mot de passe)."
        ),
        "inactive": (
            "Ce compte n'est pas encore actif : confirmez votre adresse avec le lien reçu par "
            "courriel, puis attendez la validation de la demande (un courriel vous "
            "préviendra, avec votre identifiant)."
        ),
    }
