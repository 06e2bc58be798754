"""Signing in, lock-out and self-service unlock, forgotten identifier and password.

Every answer about an email address is the same whether an account exists or not.
"""

from axes.utils import reset as axes_reset
from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from opencertif.accounts import lockout, passwords
from opencertif.accounts.forms import LoginForm
from opencertif.accounts.tokens import LinkAlreadyUsed
from opencertif.core import mail
from opencertif.www.accounts.links import safe_next, site_url
from opencertif.www.forms import DsfrForm

User = get_user_model()
UNLOCK_MAIL_EVERY = 15 * 60


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        # Django also follows absolute URLs to this host; only paths are followed here.
        field = self.redirect_field_name
        return safe_next(self.request, self.request.POST.get(field, self.request.GET.get(field)))


class LogoutView(auth_views.LogoutView):
    def get_redirect_url(self):
        field = self.redirect_field_name
        return safe_next(self.request, self.request.POST.get(field, self.request.GET.get(field)))


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the account is locked for a while; send the unlock link.

    The same page whether the login names an account or not; at most one mail per
    lock-out period."""
    login = (credentials or {}).get("username") or request.POST.get("username", "")
    user = _user_for_login(login)
    if user is not None and user.is_active:
        key = f"unlock-mail:{user.pk}"
        if cache.add(key, True, UNLOCK_MAIL_EVERY):
            mail.send(
                to=user.email,
                template="unlock",
                context={"user": user, "token": lockout.unlock_token(user)},
                site_url=site_url(request),
            )
    return render(request, "accounts/locked_out.html", status=429)


def _user_for_login(login: str):
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    return User.objects.filter(identifier=login.upper()).first()


@login_not_required
def unlock(request, token: str):
    try:
        user = lockout.redeem_unlock_token(token)
    except LinkAlreadyUsed:
        return render(request, "accounts/unlock_invalid.html", {"used": True}, status=410)
    if user is None:
        return render(request, "accounts/unlock_invalid.html", status=400)
    for login in (user.email, user.identifier):
        axes_reset(username=lockout.key_for(login))
    messages.success(
        request,
        "Votre compte est débloqué. Vous pouvez vous connecter ; en cas d'oubli, utilisez "
        "« mot de passe oublié ».",
    )
    return redirect("www:login")


class EmailForm(DsfrForm):
    email = forms.EmailField(label="Adresse électronique")


@login_not_required
def forgot_identifier(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user is not None:
            mail.send(
                to=user.email,
                template="identifier_reminder",
                context={"user": user},
                site_url=site_url(request),
            )
        return render(
            request, "accounts/forgot_identifier_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/forgot_identifier.html", {"form": form})


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique"
        self.fields["email"].widget.attrs["class"] = "fr-input"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "mails/password_reset.txt"
    subject_template_name = "mails/password_reset_subject.txt"
    form_class = PasswordResetForm
    success_url = reverse_lazy("www:password_reset_done")


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = passwords.HELP_TEXT
        for field in self.fields.values():
            field.widget.attrs["class"] = "fr-input"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("www:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password also lifts a lock-out.
        for login in (self.user.email, self.user.identifier):
            axes_reset(username=lockout.key_for(login))
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
