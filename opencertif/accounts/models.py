import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

# No 0/O, 1/I/L: the identifier is read from an email and typed by hand.
IDENTIFIER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
IDENTIFIER_LENGTH = 9


def new_identifier() -> str:
    return "".join(secrets.choice(IDENTIFIER_ALPHABET) for _ in range(IDENTIFIER_LENGTH))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _unique_identifier(self) -> str:
        while True:
            candidate = new_identifier()
            if not self.filter(identifier=candidate).exists():
                return candidate

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        fields.setdefault("identifier", self._unique_identifier())
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: with the email or with the 9-character identifier."""

    email = models.EmailField("adresse électronique", unique=True)
    identifier = models.CharField("identifiant", max_length=IDENTIFIER_LENGTH, unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_staff = models.BooleanField("agent de la plateforme", default=False)
    is_active = models.BooleanField("actif", default=True)
    email_verified_at = models.DateTimeField("adresse vérifiée le", null=True, blank=True)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    # The address asked for on « Mon compte », until its owner clicks the link sent there:
    # the account keeps signing in and receiving mail at `email` meanwhile.
    pending_email = models.EmailField("nouvelle adresse à confirmer", blank=True)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class SpentLink(models.Model):
    """A single-use link that has served: its signed token's digest (never the token).

    Signed links (unlock, email change) expire by themselves; this table makes them work
    once and lets the page say "already used" rather than "invalid". Rows older than the
    longest link lifetime are useless and purged when a link is spent."""

    digest = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=30)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "lien à usage unique utilisé"
        verbose_name_plural = "liens à usage unique utilisés"

    def __str__(self) -> str:
        return f"{self.purpose} {self.used_at:%Y-%m-%d %H:%M}"


class ThrottleHit(models.Model):
    """One counted attempt of a rate-limited anonymous action (see accounts.throttle).

    `key` is a keyed hash of the scope and the value (an IP address, an email, a SIRET):
    the table holds no personal data in clear. In the database rather than in the cache
    so that every server process and worker counts the same attempts."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "at"]), models.Index(fields=["at"])]
        verbose_name = "tentative comptée"
        verbose_name_plural = "tentatives comptées"

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.at:%Y-%m-%d %H:%M}"
