"""« Mes données »: everything the platform holds about the holder, to download (JSON,
PDF), and what the holder may delete (declarative entries, CVs, share links)."""

import json

import weasyprint
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from opencertif.passports import services
from opencertif.www.passeport.views import passport_page, section

# The PDF's looks, given to WeasyPrint apart: templates carry no <style> (the site's CSP).
PDF_CSS = """
body { font-family: sans-serif; font-size: 10pt; }
h1 { font-size: 16pt; }
h2 { font-size: 12pt; margin-top: 1.5em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 3px; text-align: left; vertical-align: top; }
"""


@passport_page
def mydata(request):
    holder = request.holder
    return section(
        request,
        "passeport/mydata.html",
        {
            "experiences": list(holder.experiences.all()),
            "cvs": list(holder.cvs.prefetch_related("share_links")),
        },
        current="mydata",
    )


def _attachment(response, name: str):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@passport_page
def mydata_json(request):
    data = services.export(request.holder, by=request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"mes-donnees-passeport-{timezone.localdate():%Y%m%d}.json"
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), name)


@passport_page
def mydata_pdf(request):
    data = services.export(request.holder, by=request.user)
    html = render_to_string("passeport/mydata_pdf.html", {"data": data}, request=request)
    pdf = weasyprint.HTML(string=html).write_pdf(stylesheets=[weasyprint.CSS(string=PDF_CSS)])
    name = f"mes-donnees-passeport-{timezone.localdate():%Y%m%d}.pdf"
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), name)
