"""Web requests against a SQLite file while a worker writes to it (run as a process by
test_worker_process): every answer is counted; a "database is locked" is a failure.

    python tests/deposits/sqlite_load.py SECONDS UPLOAD_PATH [SHEET_PATH]
With a sheet, it is uploaded first (« Déposer un tableur »), to be converted meanwhile.
Prints one JSON line: {"requests": n, "failures": [...]}.
"""

import json
import sys
import time

import django


def main() -> None:
    seconds, upload = float(sys.argv[1]), sys.argv[2]
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from opencertif.deposits.perms import depositing_organisations

    user = get_user_model().objects.get(email="gestion@univ-demo.test")
    organisation = depositing_organisations(user).first()
    with open(upload, "rb") as source:
        data = source.read()
    requests, failures = 0, []
    if len(sys.argv) > 3:
        sheet = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        sheet.force_login(user)
        with open(sys.argv[3], "rb") as source:
            answer = sheet.post(
                "/espace/tableur/",
                {
                    "organisation": organisation.pk,
                    "file": SimpleUploadedFile("promo.csv", source.read()),
                    "action": "deposit",
                },
            )
        requests += 1
        if answer.status_code != 302:
            failures.append(f"tableur : {answer.status_code}")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        try:
            client.force_login(user)  # a session row written
            answers = [
                client.get("/espace/depots/"),
                client.get("/espace/passages/"),
                client.get("/repertoire/?q=comptabilite"),
                client.post(
                    "/espace/depots/nouveau/",
                    {"organisation": organisation.pk, "file": SimpleUploadedFile("p.xml", data)},
                ),
            ]
        except Exception as exc:  # noqa: BLE001 (every failure is what we count)
            failures.append(f"{type(exc).__name__}: {exc}")
            continue
        for answer in answers:
            requests += 1
            if answer.status_code >= 500:
                failures.append(f"{answer.status_code} {answer.request['PATH_INFO']}")
    sys.stdout.write(json.dumps({"requests": requests, "failures": failures[:20]}) + "\n")


if __name__ == "__main__":
    main()
