"""The passport's sections: « Mes acquis » (home), « Mon parcours », « Mes compétences »,
« Mon avenir ». Every page reads the signed-in holder's own rows only; another holder's
entry answers 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from opencertif.passports import passport, services
from opencertif.passports.enums import MatchOutcome
from opencertif.passports.models import Experience
from opencertif.www.accounts.links import safe_next
from opencertif.www.passeport.access import holder_required
from opencertif.www.passeport.forms import ExperienceForm

# The side menu: (key, label, route name).
SECTIONS = (
    ("home", "Mes acquis", "passeport:home"),
    ("experiences", "Mon parcours", "passeport:experiences"),
    ("competences", "Mes compétences", "passeport:competences"),
    ("future", "Mon avenir", "passeport:future"),
    ("cvs", "Mes CV", "passeport:cvs"),
    ("requests", "Mes demandes", "passeport:requests"),
    ("mydata", "Mes données", "passeport:mydata"),
)


def passport_page(view):
    """A holder's page: signed-in holder only, never cached (it shows personal data)."""
    return holder_required(never_cache(view))


def section(request, template: str, context: dict, *, current: str):
    return render(
        request,
        template,
        {"holder": request.holder, "current": current, "passport_sections": SECTIONS, **context},
    )


@passport_page
def home(request):
    holder = request.holder
    matched = holder.match_outcome == MatchOutcome.MATCHED and holder.person_id is not None
    entries = passport.guaranteed(holder) if matched else []
    return section(
        request,
        "passeport/home.html",
        {"matched": matched, "entries": entries},
        current="home",
    )


@passport_page
def experiences(request):
    rows = list(request.holder.experiences.all())
    return section(
        request, "passeport/experiences.html", {"experiences": rows}, current="experiences"
    )


def _experience(request, pk) -> Experience:
    return get_object_or_404(Experience, pk=pk, holder=request.holder)


@passport_page
def experience_form(request, pk=None):
    experience = _experience(request, pk) if pk is not None else None
    initial = (
        {field: getattr(experience, field) for field in services.EXPERIENCE_FIELDS}
        if experience
        else {}
    )
    form = ExperienceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {
            **form.cleaned_data,
            "end_date": form.cleaned_data.get("end_date") or None,
        }
        if experience is None:
            services.create_experience(holder=request.holder, by=request.user, **values)
            messages.success(request, "L'entrée a été ajoutée à votre parcours.")
        else:
            services.update_experience(experience=experience, by=request.user, **values)
            messages.success(request, "L'entrée a été modifiée.")
        return redirect("passeport:experiences")
    return section(
        request,
        "passeport/experience_form.html",
        {"form": form, "experience": experience},
        current="experiences",
    )


@passport_page
def experience_delete(request, pk):
    experience = _experience(request, pk)
    back = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    back = back or reverse("passeport:experiences")
    if request.method == "POST":
        services.delete_experience(experience=experience, by=request.user)
        messages.success(request, "L'entrée a été supprimée.")
        return redirect(back)
    return section(
        request,
        "passeport/confirm_delete.html",
        {
            "question": f"Supprimer l'entrée « {experience.title} » ?",
            "consequence": "Elle disparaîtra de votre parcours et des CV qui la présentent.",
            "back": back,
        },
        current="experiences",
    )


@passport_page
def competences(request):
    return section(
        request,
        "passeport/competences.html",
        {"groups": passport.competences(request.holder)},
        current="competences",
    )


@passport_page
def future(request):
    return section(
        request,
        "passeport/future.html",
        {"future": passport.future(request.holder)},
        current="future",
    )
