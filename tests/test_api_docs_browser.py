"""/api/docs renders in Chromium under the CSP: Swagger UI's script and styles come from
Officium's own static files (ninja ships them), and no request goes to another origin."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_api_docs_render_operations_from_our_own_static_files(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    origin = urlsplit(live_server.url).netloc
    requests: list[str] = []
    violations: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        response = page.goto(f"{live_server.url}/api/docs")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers.get("content-security-policy", "")
        page.wait_for_selector(".opblock", timeout=30_000)  # one block per operation
        assert page.locator(".opblock").count() > 40
        assert page.get_by_text("/api/privacy/rights/requests").first.is_visible()
        scripts = page.eval_on_selector_all("script[src]", "nodes => nodes.map(n => n.src)")
        assert scripts and all(urlsplit(src).path.startswith("/static/ninja/") for src in scripts)
        others = [url for url in requests
                  if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != origin]
        assert others == []
        assert violations == []
    finally:
        context.close()
