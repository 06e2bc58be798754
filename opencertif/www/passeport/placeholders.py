"""Routes whose pages are being built: they answer 404 until their view replaces them."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404


@login_not_required
def not_yet(request, *args, **kwargs):
    raise Http404("Cette page n'existe pas encore.")
