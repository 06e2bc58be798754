"""Who is the holder behind a request: every passport page is decorated with
`holder_required` and reads `request.holder`."""

import functools

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from opencertif.passports.models import Holder


def holder_for(request) -> Holder:
    """The signed-in holder; 403 for a signed-in account that is no holder (an
    organisation's member has no passport)."""
    holder = Holder.objects.filter(user_id=request.user.pk).select_related("person").first()
    if holder is None:
        raise PermissionDenied("Ce compte n'a pas de passeport.")
    return holder


def holder_required(view):
    """A passport page: anonymous visitors go to the passport's sign-in (not the
    organisations' one), accounts without a passport get 403, and the view finds the
    holder in `request.holder`."""

    @login_not_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('passeport:signin')}?{query}")
        request.holder = holder_for(request)
        return view(request, *args, **kwargs)

    return wrapped
