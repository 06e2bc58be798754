"""A tiny OpenID provider (django-oidc-provider) that the passport's sign-in tests start in
a subprocess: FranceConnect's claims for a few provider-side users, RS256 keys, one
confidential client that skips consent. Its own settings and SQLite file; never imported
by the project."""
