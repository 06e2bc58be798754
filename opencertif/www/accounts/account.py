"""« Mon compte »: every signed-in person changes their password and their email address."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from opencertif.accounts import services
from opencertif.accounts.tokens import LinkAlreadyUsed
from opencertif.www.accounts.forms import EmailChangeForm, PasswordChangeForm
from opencertif.www.accounts.links import site_url


def _page(request, *, password_form=None, email_form=None, status=200):
    return render(
        request,
        "accounts/account.html",
        {
            "password_form": password_form or PasswordChangeForm(request.user),
            "email_form": email_form or EmailChangeForm(user=request.user),
        },
        status=status,
    )


def account(request):
    return _page(request)


@require_POST
def change_password(request):
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return _page(request, password_form=form, status=400)
    services.change_password(
        user=request.user, password=form.cleaned_data["new_password1"], site_url=site_url(request)
    )
    # This session follows the new password; the others, tied to the old hash, end.
    update_session_auth_hash(request, request.user)
    messages.success(
        request,
        "Mot de passe modifié. Les autres sessions ouvertes avec votre compte ont été fermées ; "
        "un courriel vous le confirme.",
    )
    return redirect("www:account")


@require_POST
def change_email(request):
    form = EmailChangeForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, email_form=form, status=400)
    services.request_email_change(
        user=request.user, new_email=form.cleaned_data["email"], site_url=site_url(request)
    )
    messages.success(
        request,
        f"Un lien de confirmation a été envoyé à {form.cleaned_data['email']} (valable "
        "24 heures). Votre compte garde son adresse actuelle jusqu'à ce que vous l'ouvriez.",
    )
    return redirect("www:account")


def _refused(request, reason: str, status: int):
    return render(request, "accounts/email_link_invalid.html", {"reason": reason}, status=status)


def confirm_email(request, token: str):
    """The link mailed to the new address; it works for its own account only, once."""
    try:
        if request.method == "POST":
            services.confirm_email_change(
                user=request.user, token=token, site_url=site_url(request)
            )
        else:
            new_email = services.check_email_change(user=request.user, token=token)
    except services.WrongAccount:
        return _refused(request, "wrong_account", 403)
    except LinkAlreadyUsed:
        return _refused(request, "used", 410)
    except services.InvalidLink as exc:
        return _refused(request, "expired" if exc.expired else "invalid", 400)
    except services.EmailTaken:
        return _refused(request, "taken", 409)
    if request.method == "POST":
        request.user.refresh_from_db()
        messages.success(
            request,
            f"Votre adresse électronique est désormais {request.user.email}. L'ancienne en a "
            "été informée.",
        )
        return redirect("www:account")
    return render(request, "accounts/email_confirm.html", {"new_email": new_email})
