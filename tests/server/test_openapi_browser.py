"""The docs pages in a real browser: headless Chromium, driven over the DevTools protocol.

Checks what only a browser shows: Swagger UI renders from the server's own files, the flow page
loads its private spec with the key handed over in ``#key=`` (and drops it from the address bar),
and "Try it out" → "Execute" sends ``Authorization: Bearer <key>`` to this origin's /invocations —
with the key from the fragment, and with a key typed into Swagger UI's Authorize dialog.
Skipped when no Chromium is installed (``apt-get install chromium``).
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
import tempfile

import aiohttp
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.requires_tool("chromium", "chromium-browser", "google-chrome", why="apt-get install chromium")


class Page:
    """One browser tab; ``eval`` runs JavaScript and returns its JSON value."""

    def __init__(self, ws, session_id: str) -> None:
        self.ws, self.session_id, self._id = ws, session_id, 0

    async def send(self, method: str, params: dict | None = None, *, session: bool = True) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session_id
        await self.ws.send_str(json.dumps(msg))
        while True:
            reply = json.loads((await self.ws.receive()).data)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply
                return reply["result"]

    async def eval(self, expression: str):
        result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                      "awaitPromise": True})
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    async def until(self, expression: str, tries: int = 300):
        """Poll until ``expression`` is truthy (the page renders asynchronously); its value."""
        probe = f"(() => {{ const v = ({expression}); return v instanceof Node ? true : v; }})()"
        for _ in range(tries):
            value = await self.eval(probe)
            if value:
                return value
            await asyncio.sleep(0.1)
        raise AssertionError(f"never true: {expression}")

    async def type_into(self, selector: str, text: str) -> None:
        """Set a React-controlled input's value the way typing would."""
        await self.eval(f"""(() => {{
            const el = document.querySelector({json.dumps(selector)});
            const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
            Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, {json.dumps(text)});
            el.dispatchEvent(new Event('input', {{bubbles: true}}));
        }})()""")


@contextlib.asynccontextmanager
async def chromium_page(url: str):
    """A fresh headless Chromium (own profile) with one tab opened at ``url``; stopped on exit."""
    profile = tempfile.mkdtemp(prefix="axiom-chromium-")
    # Blocking start and read of the DevTools line: nothing else runs on this test's loop yet.
    proc = subprocess.Popen([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",  # noqa: ASYNC220
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ws_url = None
        for line in proc.stderr:
            match = re.search(r"(ws://\S+)", line)
            if match:
                ws_url = match.group(1)
                break
        assert ws_url, "Chromium did not start its DevTools endpoint"
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(ws_url, max_msg_size=0) as ws:
                page = Page(ws, "")
                target = await page.send("Target.createTarget", {"url": "about:blank"}, session=False)
                attached = await page.send("Target.attachToTarget",
                                           {"targetId": target["targetId"], "flatten": True}, session=False)
                page.session_id = attached["sessionId"]
                await page.send("Page.navigate", {"url": url})
                yield page
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


async def _execute(page: Page, body: dict) -> dict:
    """Expand the first operation, fill the body, Execute; the live response's status and JSON."""
    await page.until("document.querySelector('.opblock-summary-control')")
    await page.eval("document.querySelector('.opblock-summary-control').click()")
    label = await page.until("document.querySelector('.try-out__btn')?.textContent")
    if label != "Cancel":  # tryItOutEnabled opens operations in try-it-out mode already
        await page.eval("document.querySelector('.try-out__btn').click()")
    await page.until("document.querySelector('textarea.body-param__text')")
    await page.type_into("textarea.body-param__text", json.dumps(body))
    await page.eval("document.querySelector('.execute').click()")
    status = await page.until("document.querySelector('.live-responses-table .response .response-col_status')"
                              "?.textContent.trim()")
    text = await page.eval("document.querySelector('.live-responses-table .response-col_description pre')"
                           ".textContent")
    curl = await page.eval("document.querySelector('.curl-command .curl')?.textContent || ''")
    return {"status": status.split()[0], "body": json.loads(text), "curl": curl}


def test_flow_docs_try_it_out_with_the_key_from_the_fragment(live):
    graph_id = live.compile("hello")

    async def run() -> tuple[str, list, dict]:
        async with chromium_page(f"{live.origin}/api/graphs/{graph_id}/docs#key={live.key}") as page:
            await page.until("document.querySelectorAll('.opblock').length")
            location = await page.eval("location.href")
            paths = await page.eval("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent)")
            result = await _execute(page, {"graph_id": graph_id, "input": {"name": "Browser"}, "wait": True})
        return location, paths, result

    location, paths, result = asyncio.run(run())
    assert location == f"{live.origin}/api/graphs/{graph_id}/docs"  # the key left the address bar
    assert paths == ["/v1/flows/invoke"]
    assert result["status"] == "202"
    assert result["body"]["accepted"] is True
    assert result["body"]["result"].get("output") == {"greeting": "Hello, Browser!"}, result["body"]
    assert f"'{live.origin}/invocations/v1/flows/invoke'" in result["curl"]
    assert f"Authorization: Bearer {live.key}" in result["curl"]


def test_package_docs_try_it_out_after_the_authorize_dialog(live):
    async def run() -> dict:
        async with chromium_page(f"{live.origin}/api/packages/examples/text@0.1.0/docs") as page:
            await page.until("document.querySelector('.btn.authorize')")
            await page.eval("document.querySelector('.btn.authorize').click()")
            await page.until("document.querySelector('.auth-container input')")
            await page.type_into(".auth-container input", live.key)
            await page.eval("document.querySelector('.auth-btn-wrapper .btn.modal-btn.auth.authorize').click()")
            await page.until("document.querySelector('.auth-btn-wrapper .btn.modal-btn.auth:not(.authorize)')")
            await page.eval("document.querySelector('.auth-btn-wrapper .btn-done, .close-modal').click()")
            return await _execute(page, {"name": "Dialog"})

    result = asyncio.run(run())
    assert result["status"] == "200"
    assert result["body"] == {"greeting": "Hello, Dialog!"}
    assert f"'{live.origin}/invocations/v1/nodes/examples/text/0.1.0/Greet'" in result["curl"]
    assert f"Authorization: Bearer {live.key}" in result["curl"]


@pytest.mark.requires_tool("git", why="apt-get install git")
def test_a_private_pushs_docs_page_asks_for_the_key_then_loads_its_spec(live, tmp_path):
    # `push` and `info` print this page's address for a private push; a browser sends no key.
    from registry_support import archive, package_repo

    repo = package_repo(tmp_path, "tester/docs-page", "0.1.0")
    with live.client(timeout=600) as client:
        pushed = client.post("/api/registry/packages", json=archive(repo))
    assert pushed.status_code == 201, pushed.text
    url = f"{live.origin}/api/packages/tester/docs-page@0.1.0/docs"

    async def run() -> tuple[str, list]:
        async with chromium_page(url) as page:
            await page.until("document.querySelector('#axiom-key-form')?.hidden === false")  # the page's script asks
            asked = await page.eval("document.querySelector('#axiom-key-message').textContent")
            await page.type_into("#axiom-key-form input", live.key)
            await page.eval("document.querySelector('#axiom-key-form').requestSubmit()")
            await page.until("document.querySelectorAll('.opblock').length")
            paths = await page.eval("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent)")
        return asked, paths

    asked, paths = asyncio.run(run())
    assert asked == "This package version is not public: enter an API key of the account that pushed it."
    assert paths and all(p.startswith("/v1/nodes/tester/docs-page/0.1.0/") for p in paths), paths
