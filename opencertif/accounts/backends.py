from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class EmailOrIdentifierBackend(ModelBackend):
    """Sign in with the email address or with the 9-character identifier."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user_model = get_user_model()
        login = username.strip()
        if "@" in login:
            user = user_model.objects.filter(email__iexact=login).first()
        else:
            user = user_model.objects.filter(identifier=login.upper()).first()
        if user is None:
            # Same cost whether the account exists or not.
            user_model().set_password(password)
            return None
        if user.check_password(password):
            # Inactive accounts pass here so that the login form can say why they cannot
            # sign in yet (awaiting activation or validation); get_user refuses them.
            return user
        return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
