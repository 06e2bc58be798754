"""Start the test OpenID provider: `python -m tests.passports.oidc_provider.serve DIR
CLIENT_ID CLIENT_SECRET REDIRECT_URI`. DIR holds the SQLite file and identities.json
({username: FranceConnect claims}; each user's password is their username). Listens on a
free port of 127.0.0.1 and prints `READY <url>` once it answers."""

import os
import socketserver
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the parent's signature)
        pass


def main(directory: str, client_id: str, client_secret: str, redirect_uri: str) -> None:
    server = Server(("127.0.0.1", 0), QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    folder = Path(directory)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.passports.oidc_provider.settings"
    os.environ["PROVIDER_DB"] = str(folder / "provider.sqlite3")
    os.environ["PROVIDER_URL"] = url
    os.environ["PROVIDER_IDENTITIES"] = str(folder / "identities.json")

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oidc_provider.models import Client, ResponseType

    from tests.passports.oidc_provider.claims import identities

    call_command("migrate", verbosity=0)
    call_command("creatersakey", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client.objects.create(
        name="opencertif",
        client_type="confidential",
        client_id=client_id,
        client_secret=client_secret,
        jwt_alg="RS256",
        require_consent=False,
    )
    client.redirect_uris = [redirect_uri]
    client.save()
    client.response_types.add(ResponseType.objects.get(value="code"))
    for username in identities():
        User.objects.create_user(username, password=username)

    server.set_app(get_wsgi_application())
    sys.stdout.write(f"READY {url}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:5])
