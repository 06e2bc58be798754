"""« Mes CV »: several CVs, each a selection of the holder's guaranteed and declarative
entries with a title and a summary."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from opencertif.passports import passport, services
from opencertif.passports.models import Cv
from opencertif.www.accounts.links import safe_next
from opencertif.www.passeport.forms import CvForm
from opencertif.www.passeport.views import passport_page, section


def holder_cv(request, pk) -> Cv:
    """The signed-in holder's CV; 404 for anyone else's."""
    return get_object_or_404(Cv, pk=pk, holder=request.holder)


@passport_page
def cvs(request):
    rows = list(request.holder.cvs.prefetch_related("share_links", "passages", "experiences"))
    return section(request, "passeport/cvs.html", {"cvs": rows}, current="cvs")


@passport_page
def cv_form(request, pk=None):
    holder = request.holder
    cv = holder_cv(request, pk) if pk is not None else None
    initial = {}
    if cv is not None:
        initial = {
            "title": cv.title,
            "summary": cv.summary,
            "passages": list(cv.passages.values_list("pk", flat=True)),
            "experiences": list(cv.experiences.values_list("pk", flat=True)),
        }
    form = CvForm(
        request.POST or None,
        initial=initial,
        guaranteed=passport.guaranteed(holder),
        experiences=list(holder.experiences.all()),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "title": data["title"],
            "summary": data["summary"],
            "passage_ids": data["passages"],
            "experience_ids": data["experiences"],
            "by": request.user,
        }
        try:
            if cv is None:
                services.create_cv(holder=holder, **values)
                messages.success(request, "Le CV a été créé.")
            else:
                services.update_cv(cv=cv, **values)
                messages.success(request, "Le CV a été modifié.")
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("passeport:cvs")
    return section(
        request,
        "passeport/cv_form.html",
        {
            "form": form,
            "cv": cv,
            "selected_passages": form.selected("passages"),
            "selected_experiences": form.selected("experiences"),
        },
        current="cvs",
    )


@passport_page
def cv_delete(request, pk):
    cv = holder_cv(request, pk)
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    back = back or reverse("passeport:cvs")
    if request.method == "POST":
        services.delete_cv(cv=cv, by=request.user)
        messages.success(request, "Le CV a été supprimé, ainsi que ses liens de partage.")
        return redirect(back)
    return section(
        request,
        "passeport/confirm_delete.html",
        {
            "question": f"Supprimer le CV « {cv.title} » ?",
            "consequence": "Ses liens de partage cesseront aussitôt de fonctionner. "
            "Vos certifications et votre parcours ne sont pas touchés.",
            "back": back,
        },
        current="cvs",
    )
