"""Holders' sign-in (OpenID Connect with FranceConnect's identity claims).

The flow is mozilla-django-oidc's (state, nonce, code exchange, ID token check); the
backend (`passports.oidc.HolderOIDCBackend`) hands the claims to
`passports.identity.sign_in_holder`. The development provider, on only when
`settings.PASSPORT_DEV_PROVIDER` is (dev.py), signs in as a demo person through the same
`sign_in_holder`."""

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    get_next_url,
)

from opencertif.deposits.enums import PassageStatus
from opencertif.deposits.models import Passage
from opencertif.passports import oidc
from opencertif.passports.identity import claims_of, sign_in_holder
from opencertif.passports.models import Holder
from opencertif.people.models import Person

BACKEND = "opencertif.passports.oidc.HolderOIDCBackend"
DEMO_HOLDER_EMAIL = "titulaire@passeport-demo.test"
DEV_PEOPLE = 20
FAILED = (
    "La connexion n'a pas abouti : votre fournisseur d'identité n'a pas confirmé votre "
    "identité ou la demande a expiré. Recommencez la connexion."
)


@login_not_required
@require_GET
def signin(request):
    """The passport's sign-in page: the identity provider's button, or why there is none."""
    if request.user.is_authenticated and Holder.objects.filter(user_id=request.user.pk).exists():
        return redirect("passeport:home")
    return render(
        request,
        "passeport/signin.html",
        {
            "configured": oidc.is_configured(),
            "dev_provider": settings.PASSPORT_DEV_PROVIDER,
            "next": get_next_url(request, "next") or "",
        },
    )


@method_decorator(login_not_required, name="dispatch")
class Authenticate(OIDCAuthenticationRequestView):
    """Sends the holder to their identity provider (state and nonce kept in the session)."""

    def get(self, request):
        if not oidc.is_configured():
            return redirect("passeport:signin")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class Callback(OIDCAuthenticationCallbackView):
    """Where the identity provider sends the holder back: the code is exchanged, the
    holder signed in and sent to their passport."""

    @property
    def failure_url(self):
        return reverse("passeport:signin")

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or reverse("passeport:home")

    def login_failure(self):
        messages.error(self.request, FAILED)
        return super().login_failure()


@login_not_required
@require_POST
def signout(request):
    """Signs the holder out, back to the passport's sign-in page."""
    auth.logout(request)
    messages.info(request, "Vous êtes déconnecté de votre passeport.")
    return redirect("passeport:signin")


def _dev_provider_on():
    if not settings.PASSPORT_DEV_PROVIDER:
        raise Http404("Pas de fournisseur d'identité de développement.")


def _demo_people():
    """A few people of the reference population with accepted passages, the demo holder's
    person first."""
    demo = (
        Holder.objects.filter(user__email=DEMO_HOLDER_EMAIL, person__isnull=False)
        .values_list("person_id", flat=True)
        .first()
    )
    accepted = Q(pk__in=Passage.objects.filter(status=PassageStatus.OK).values("person_id"))
    if demo is None:
        return Person.objects.filter(accepted).order_by("pk")[:DEV_PEOPLE]
    demo_first = Case(When(pk=demo, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Person.objects.filter(accepted | Q(pk=demo))
        .annotate(demo_first=demo_first)
        .order_by("demo_first", "pk")[:DEV_PEOPLE]
    )


@login_not_required
@require_GET
def dev_provider(request):
    """Development identity provider: pick a demo person to sign in as (404 unless
    `settings.PASSPORT_DEV_PROVIDER`)."""
    _dev_provider_on()
    return render(request, "passeport/dev_provider.html", {"people": _demo_people()})


@login_not_required
@require_POST
def dev_provider_sign_in(request, pk: int):
    """Signs in as the chosen person with the claims their provider would send, through
    the same `sign_in_holder` as OpenID Connect (subject `dev:<person id>`)."""
    _dev_provider_on()
    person = get_object_or_404(Person, pk=pk)
    holder = sign_in_holder(subject=f"dev:{person.pk}", claims=claims_of(person))
    auth.login(request, holder.user, backend=BACKEND)
    return redirect("passeport:home")
