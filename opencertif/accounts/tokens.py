"""Single-use links: email activation. A token dies once the state it hashes changes."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "opencertif.accounts.activation"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified_at}{timestamp}"


activation_token = ActivationTokenGenerator()
