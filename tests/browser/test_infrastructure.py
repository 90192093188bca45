"""The browser-test tools work: axe passes an accessible page and fails an inaccessible one
on exactly its faults, the vendored htmx runs under a strict Content-Security-Policy, and a
failing test's page is saved."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Page, expect

from tests.browser.accessibility import assert_accessible, axe_violations
from tests.browser.live_server import serve
from tests.browser.plugin import record_failure, require_chromium

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parents[2] / "portal" / "static" / "vendor"
CSP = "default-src 'self'"
CSS = "body { color: #1a1a1a; background: #ffffff; } .faint { color: #c8c8c8; }"
CHART = '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>'


def _page(title: str, body: str, head: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="/site.css">{head}</head>'
        f"<body>{body}</body></html>"
    )


ACCESSIBLE = _page(
    "Request access",
    '<header><p>Haven</p></header><main><h1>Request access</h1><form method="post" action="/">'
    '<label for="email">Email address</label><input id="email" name="email" type="email">'
    '<button type="submit">Continue</button></form></main>',
)
INACCESSIBLE = _page(
    "Request access",
    '<main><h1>Request access</h1><p class="faint">Reference of Jane Example</p>'
    '<img src="/chart.svg"><input name="name" value="Jane Example"></main>',
)
HTMX = _page(
    "Counts",
    '<main><h1>Counts</h1><button type="button" hx-get="/fragment" hx-target="#result">Show counts</button>'
    '<div id="result"><p>Not loaded yet.</p></div></main>'
    # Proves the policy is enforced: this inline script must not run.
    "<script>window.inlineRan = true;</script>",
    # htmx adds an inline <style> for its request indicators unless told not to; the policy
    # would block it (a console error). Pages under a strict policy turn it off.
    head='<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>'
    '<script src="/static/htmx.min.js"></script>',
)


def make_app() -> FastAPI:
    """Pages under a Content-Security-Policy that allows only the site's own files."""
    app = FastAPI()

    @app.middleware("http")
    async def content_security_policy(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        return response

    app.mount("/static", StaticFiles(directory=VENDOR), name="static")
    pages = {"/accessible": ACCESSIBLE, "/inaccessible": INACCESSIBLE, "/htmx": HTMX}
    for path, html in pages.items():
        app.add_api_route(path, lambda html=html: HTMLResponse(html), methods=["GET"])
    app.add_api_route("/fragment", lambda: HTMLResponse('<p id="counts">12 persons</p>'), methods=["GET"])
    app.add_api_route("/site.css", lambda: Response(CSS, media_type="text/css"), methods=["GET"])
    app.add_api_route("/chart.svg", lambda: Response(CHART, media_type="image/svg+xml"), methods=["GET"])
    # Chromium asks for one; a 404 would be a console error.
    app.add_api_route("/favicon.ico", lambda: Response(status_code=204), methods=["GET"])
    return app


def test_an_accessible_page_has_no_violations(page: Page, live_server) -> None:
    server = live_server(make_app())
    page.goto(server("/accessible"))

    assert axe_violations(page) == []
    assert_accessible(page)


def test_an_inaccessible_page_fails_on_exactly_its_faults(page: Page, live_server) -> None:
    server = live_server(make_app())
    page.goto(server("/inaccessible"))

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)

    report = str(failure.value)
    assert {v.rule: v.targets for v in axe_violations(page)} == {
        "color-contrast": ("p",),
        "image-alt": ("img",),
        "label": ("input",),
    }
    assert report.splitlines()[0] == "3 WCAG 2.1 A/AA rule(s) broken on /inaccessible (axe-core):"
    assert "- image-alt (critical): Images must have alternative text" in report
    assert "Jane Example" not in report


def test_vendored_htmx_swaps_a_fragment_under_a_strict_csp(page: Page, live_server) -> None:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    server = live_server(make_app())

    response = page.goto(server("/htmx"))
    page.get_by_role("button", name="Show counts").click()

    expect(page.locator("#result")).to_have_text("12 persons")
    assert response is not None and response.headers["content-security-policy"] == CSP
    assert page.evaluate("window.inlineRan") is None
    # The one console error is the policy refusing the inline script.
    assert len(errors) == 1
    assert "inline script" in errors[0] and "Content Security Policy" in errors[0]
    assert_accessible(page)


def test_the_live_server_answers_until_its_block_ends() -> None:
    with serve(make_app()) as server:
        assert server.url.startswith("http://127.0.0.1:")
        answer = httpx.get(server("/accessible"))
        assert (answer.status_code, answer.headers["content-security-policy"]) == (200, CSP)

    with pytest.raises(httpx.ConnectError):
        httpx.get(server("/accessible"))


def test_a_failing_test_leaves_its_screenshot_and_html(page: Page, live_server, tmp_path: Path) -> None:
    server = live_server(make_app())
    page.goto(server("/accessible"))
    item = SimpleNamespace(nodeid="tests/browser/test_x.py::test_y[a b]", funcargs={"page": page})
    failed = SimpleNamespace(when="call", failed=True, sections=[])
    passed = SimpleNamespace(when="call", failed=False, sections=[])

    written = record_failure(item, failed, tmp_path / "failures")
    kept = record_failure(item, passed, tmp_path / "passes")

    folder = tmp_path / "failures" / "tests_browser_test_x.py_test_y_a_b"
    assert written == [folder / "screenshot.png", folder / "page.html"]
    assert written[0].read_bytes().startswith(b"\x89PNG")
    assert "<h1>Request access</h1>" in written[1].read_text(encoding="utf-8")
    assert failed.sections == [("browser failure", f"{written[0]}\n{written[1]}")]
    assert kept == [] and passed.sections == [] and not (tmp_path / "passes").exists()


def test_a_missing_chromium_fails_and_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HAVEN_TEST_CHROMIUM", str(tmp_path / "no-chromium"))

    with pytest.raises(pytest.fail.Exception, match=r"chromium is missing .*run `make browser`"):
        require_chromium()
