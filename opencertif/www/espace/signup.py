"""Creating an organisation's account, step by step (resumable within the session)."""

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from opencertif.accounts import throttle
from opencertif.core.files import RejectedFile
from opencertif.organisations import services
from opencertif.organisations.enums import AccountRequestState, DocumentKind
from opencertif.organisations.models import AccountRequest, JoinRequest
from opencertif.www.accounts.links import safe_next, site_url
from opencertif.www.espace.forms import DocumentsForm, IdentityForm, JoinForm, KindForm, SiretForm

SESSION_KEY = "signup_request"
STEPS = (
    "Type d'organisme",
    "Identification",
    "Pièces justificatives",
    "Vos coordonnées",
    "Activation de l'adresse",
)
RESEND_DELAY = 60


def _current(request) -> AccountRequest | None:
    token = request.session.get(SESSION_KEY)
    if not token:
        return None
    return AccountRequest.objects.filter(
        resume_token=token,
        state__in=(AccountRequestState.DRAFT, AccountRequestState.AWAITING_ACTIVATION),
    ).first()


def _context(step: int, **extra) -> dict:
    return {
        "step": step,
        "step_title": STEPS[step - 1],
        "next_title": STEPS[step] if step < len(STEPS) else "",
        "steps_count": len(STEPS),
        **extra,
    }


def _guard(request, step: int):
    """The request being filled, or a redirect to the first step not done yet."""
    current = _current(request)
    if current is None:
        return None, (redirect("espace:signup_step1") if step > 1 else None)
    if current.state == AccountRequestState.AWAITING_ACTIVATION:
        # Already sent: show where it stands rather than editing a submitted request.
        return current, redirect("espace:signup_done")
    if current.step < step - 1:
        return current, redirect(f"espace:signup_step{current.step + 1}")
    return current, None


@login_not_required
@require_POST
def restart(request):
    """Forget the request of this session (it stays, awaiting its activation link)."""
    request.session.pop(SESSION_KEY, None)
    return redirect("espace:signup_step1")


@login_not_required
def start(request):
    current = _current(request)
    if current is None:
        return render(request, "espace/signup/start.html", _context(1, steps=STEPS))
    if current.state == AccountRequestState.AWAITING_ACTIVATION:
        return redirect("espace:signup_done")
    return redirect(f"espace:signup_step{min(current.step + 1, 4)}")


@login_not_required
def step1(request):
    current, redirection = _guard(request, 1)
    if redirection:
        return redirection
    form = KindForm(request.POST or None, initial={"kind": current.kind if current else None})
    if request.method == "POST" and form.is_valid():
        if current is None:
            current = AccountRequest.objects.create()
            request.session[SESSION_KEY] = current.resume_token
        current.kind = form.cleaned_data["kind"]
        current.step = max(current.step, 1)
        current.save(update_fields=["kind", "step"])
        return redirect("espace:signup_step2")
    return render(request, "espace/signup/step1.html", _context(1, form=form))


@login_not_required
def step2(request):
    current, redirection = _guard(request, 2)
    if redirection:
        return redirection
    initial = {
        "has_siret": {True: "oui", False: "non"}.get(current.has_siret),
        **{
            name: getattr(current, name)
            for name in (
                "siret",
                "name",
                "commercial_name",
                "legal_form",
                "address",
                "postal_code",
                "city",
            )
        },
    }
    form = SiretForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # Whether an organisation with this SIRET already has an account is not told here
        # (the page would reveal it to anyone): the pages point to the join form, and staff
        # see it when they examine the request.
        data = form.cleaned_data
        current.has_siret = data["has_siret"] == "oui"
        for name in (
            "siret",
            "name",
            "commercial_name",
            "legal_form",
            "address",
            "postal_code",
            "city",
        ):
            setattr(current, name, data.get(name) or "")
        current.step = max(current.step, 2)
        current.save()
        return redirect("espace:signup_step3")
    return render(request, "espace/signup/step2.html", _context(2, form=form))


@login_not_required
def step3(request):
    current, redirection = _guard(request, 3)
    if redirection:
        return redirection
    initial = {
        "requester_named_on_proof": {True: "oui", False: "non"}.get(
            current.requester_named_on_proof
        ),
        "mandate_date": current.mandate_date,
    }
    form = DocumentsForm(
        request.POST or None, request.FILES or None, account_request=current, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stored = True
        for field, kind in (
            ("legal_proof", DocumentKind.LEGAL_PROOF),
            ("mandate", DocumentKind.MANDATE),
        ):
            upload: UploadedFile | None = data.get(field)
            if upload is None:
                continue
            try:
                services.save_document(account_request=current, kind=kind, upload=upload)
            except RejectedFile as exc:
                form.add_error(field, str(exc))
                stored = False
        if stored:
            current.requester_named_on_proof = data["requester_named_on_proof"] == "oui"
            if data["needs_mandate"]:
                current.mandate_date = data.get("mandate_date") or current.mandate_date
            else:
                current.mandate_date = None
                for document in current.documents_of(DocumentKind.MANDATE):
                    document.delete()
            current.step = max(current.step, 3)
            current.save()
            return redirect("espace:signup_step4")
    return render(
        request,
        "espace/signup/step3.html",
        _context(3, form=form, account_request=current, documents=current.documents.all()),
    )


@login_not_required
def step4(request):
    current, redirection = _guard(request, 4)
    if redirection:
        return redirection
    user = current.user
    initial = (
        {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
            "email": user.email,
            "phone": user.phone,
        }
        if user
        else {}
    )
    form = IdentityForm(request.POST or None, initial=initial)
    pending_email = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_requester(
                account_request=current,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                phone=data["phone"],
                job_title=data["job_title"],
                password=data["password1"],
                site_url=site_url(request),
            )
        except services.EmailPendingActivation:
            pending_email = data["email"]
        except services.EmailAlreadyUsed:
            form.add_error(
                "email",
                "Un compte existe déjà avec cette adresse. Connectez-vous (ou utilisez « mot de "
                "passe oublié ») puis demandez à rejoindre l'organisme, ou utilisez une autre "
                "adresse.",
            )
        else:
            return redirect("espace:signup_done")
    return render(
        request,
        "espace/signup/step4.html",
        _context(4, form=form, account_request=current, pending_email=pending_email),
    )


@login_not_required
def done(request):
    current = _current(request)
    if current is None or current.user is None:
        return redirect("espace:signup")
    return render(request, "espace/signup/done.html", _context(5, account_request=current))


@login_not_required
@require_POST
def resend(request):
    """Resend the activation link. Same answer whether the address is known or not."""
    email = (request.POST.get("email") or "").strip().lower()
    last = request.session.get("activation_resent_at", 0)
    if email and time.time() - last > RESEND_DELAY:
        user = services.User.objects.filter(
            email__iexact=email, is_active=False, email_verified_at__isnull=True
        ).first()
        if user is not None:
            services.send_activation(user=user, site_url=site_url(request))
        request.session["activation_resent_at"] = time.time()
        messages.success(
            request,
            "Si une demande attend l'activation de cette adresse, un nouveau lien vient d'y "
            "être envoyé. Pensez à vérifier les indésirables.",
        )
    elif email:
        messages.warning(
            request, "Un lien vient d'être envoyé : patientez une minute avant d'en redemander un."
        )
    return redirect(safe_next(request, request.POST.get("next")) or "espace:signup_done")


@login_not_required
def activate(request, uidb64: str, token: str):
    user = services.user_from_activation(uidb64, token)
    if user is None:
        return render(request, "espace/signup/activation_invalid.html", status=400)
    result = services.activate_email(user=user, site_url=site_url(request))
    request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "espace/signup/activated.html",
        {
            "is_join": isinstance(result, JoinRequest),
            "result": result,
        },
    )


def _join_allowed(request, data: dict) -> bool:
    """Count the attempt per IP address and per target (the SIRET, the email): False
    once one of them has reached its hourly limit."""
    per_ip, per_target = settings.JOIN_ATTEMPTS_PER_IP, settings.JOIN_ATTEMPTS_PER_TARGET
    return throttle.hit(
        {
            throttle.key_for("join-ip", get_client_ip_address(request) or ""): per_ip,
            throttle.key_for("join-siret", data["siret"]): per_target,
            throttle.key_for("join-email", data["email"]): per_target,
        }
    )


@login_not_required
def join(request):
    """Ask to join an organisation that has an account, by its SIRET.

    The answer is the same page whether the organisation or the address has an account or
    not; the mail sent to the address tells its owner what happened
    (services.ask_to_join). Attempts are limited per hour, per IP address and per target."""
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not _join_allowed(request, data):
            return render(
                request, "espace/signup/join.html", {"form": form, "limited": True}, status=429
            )
        services.ask_to_join(
            siret=data["siret"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            job_title=data["job_title"],
            password=data["password1"],
            message=data["message"],
            site_url=site_url(request),
        )
        return render(request, "espace/signup/join_sent.html", {"email": data["email"]})
    return render(request, "espace/signup/join.html", {"form": form})


@login_not_required
def mandate_model(request):
    """The mandate-delegation wording, to download, fill and have signed."""
    text = render_to_string("espace/signup/mandate_model.txt")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-delegation-de-mandat.txt"'
    return response
