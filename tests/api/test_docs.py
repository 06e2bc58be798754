"""/api/docs works offline: Swagger UI is served by the platform, not by a CDN."""

import re

import pytest

pytestmark = pytest.mark.django_db

ASSET = re.compile(r"""\b(?:src|href)=["']([^"']+)["']""")


def test_api_docs_reference_no_external_host_and_their_assets_answer(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    assets = ASSET.findall(html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in assets)
    assert any(url.endswith("swagger-ui.css") for url in assets)
    for url in assets:
        assert url.startswith("/static/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        b"".join(asset.streaming_content if asset.streaming else [asset.content])


def test_api_docs_point_at_the_platform_openapi_without_a_validator_badge(client):
    html = client.get("/api/docs").content.decode()
    assert '"url": "/api/openapi.json"' in html
    assert '"validatorUrl": null' in html
