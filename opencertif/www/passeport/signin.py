"""Holders' sign-in (OpenID Connect with FranceConnect's identity claims)."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def signin(request):
    return render(request, "passeport/signin.html", {})
