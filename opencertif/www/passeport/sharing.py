"""Share links of a CV (the holder's management pages) and the public online view they
open. A view is counted, never who viewed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from opencertif.passports import passport, services
from opencertif.passports.enums import HiddenField
from opencertif.passports.models import ShareLink
from opencertif.www.accounts.links import safe_next
from opencertif.www.passeport.cvs import holder_cv
from opencertif.www.passeport.forms import ShareForm
from opencertif.www.passeport.views import passport_page, section


def _link(request, cv_pk, pk) -> ShareLink:
    return get_object_or_404(ShareLink, pk=pk, cv_id=cv_pk, cv__holder=request.holder)


@passport_page
def share_links(request, pk):
    cv = holder_cv(request, pk)
    form = ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = services.create_share_link(
            cv=cv,
            days=form.cleaned_data["days"],
            hidden_fields=form.cleaned_data["hidden_fields"],
            by=request.user,
        )
        expires = timezone.localtime(link.expires_at)
        messages.success(
            request, f"Le lien de partage a été créé ; il expire le {expires:%d/%m/%Y}."
        )
        return redirect("passeport:share_links", pk=cv.pk)
    now = timezone.now()
    links = list(cv.share_links.all())
    hidden_labels = dict(HiddenField.choices)
    for link in links:
        link.hidden_labels = [hidden_labels.get(f, f) for f in link.hidden_fields]
        link.url = request.build_absolute_uri(reverse("www:shared_cv", args=[link.token]))
    return section(
        request,
        "passeport/share_links.html",
        {
            "cv": cv,
            "form": form,
            "active": [link for link in links if link.is_active(now=now)],
            "inactive": [link for link in links if not link.is_active(now=now)],
        },
        current="cvs",
    )


@passport_page
def share_revoke(request, pk, link):
    share = _link(request, pk, link)
    if request.method == "POST":
        services.revoke_share_link(link=share, by=request.user)
        messages.success(request, "Le lien a été révoqué : il ne permet plus de voir le CV.")
        return redirect("passeport:share_links", pk=pk)
    return section(
        request,
        "passeport/confirm_delete.html",
        {
            "question": "Révoquer ce lien de partage ?",
            "consequence": "Les personnes qui l'ont reçu ne pourront plus voir votre CV.",
            "action": "Oui, révoquer",
            "back": reverse("passeport:share_links", args=[pk]),
        },
        current="cvs",
    )


@passport_page
def share_delete(request, pk, link):
    share = _link(request, pk, link)
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    back = back or reverse("passeport:share_links", args=[pk])
    if request.method == "POST":
        services.delete_share_link(link=share, by=request.user)
        messages.success(request, "Le lien de partage a été supprimé.")
        return redirect(back)
    return section(
        request,
        "passeport/confirm_delete.html",
        {
            "question": "Supprimer ce lien de partage ?",
            "consequence": "Il cessera de fonctionner et son nombre de consultations sera effacé.",
            "back": back,
        },
        current="cvs",
    )


def holder_name(holder) -> str:
    person = holder.person
    if person is not None:
        last = person.usage_name or person.birth_name
        return f"{person.first_name1} {last.upper()}"
    return holder.user.get_full_name() or "Titulaire"


@login_not_required
@never_cache
def shared_cv(request, token):
    """The online view of a shared CV: its guaranteed entries re-read from today's data, its
    declarative ones, less the fields the link hides. Unknown token: 404; revoked or
    expired: 410."""
    link = (
        ShareLink.objects.filter(token=token)
        .select_related("cv__holder__person", "cv__holder__user")
        .first()
    )
    if link is None:
        raise Http404("Ce lien de partage n'existe pas.")
    if not link.is_active():
        response = render(request, "passeport/share_gone.html", {"link": link}, status=410)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    services.record_view(link)
    cv = link.cv
    holder = cv.holder
    hidden = set(link.hidden_fields)
    entries = passport.guaranteed(holder, passage_ids=cv.passages.values_list("pk", flat=True))
    experiences = [] if HiddenField.DECLARATIVE in hidden else list(cv.experiences.all())
    person = holder.person
    response = render(
        request,
        "passeport/shared_cv.html",
        {
            "cv": cv,
            "link": link,
            "name": holder_name(holder),
            "person": person,
            "entries": entries,
            "experiences": experiences,
            "show_mention": HiddenField.MENTION not in hidden,
            "show_dates": HiddenField.DATES not in hidden,
            "show_birth_date": HiddenField.BIRTH_DATE not in hidden and person is not None,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
