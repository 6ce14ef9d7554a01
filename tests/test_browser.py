"""The reports as a reader sees them: headless Chromium (Debian's, `apt-get install -y chromium chromium-driver`)
loads pages from a local server on 127.0.0.1, driven over the Chrome DevTools protocol (websocket-client).

At a desktop (1280 px) and a phone (390 px) width each page must not scroll sideways (wide tables scroll inside
their own box), log no console error and have no failed request. Full-page screenshots go to
build/screenshots/<page>-<width>.png, to look at. No network: the browser only reaches the local server.
"""

from __future__ import annotations

import base64
import functools
import http.server
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "reports"
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
WIDTHS = (1280, 390)
TIMEOUT = 30.0  # seconds, for the browser to start and for one page to load
SHOT_HEIGHT = 16000  # px: a screenshot shows the whole page up to this height (about Chromium's limit), else its top


def _pages() -> list[str]:
    """The index, the changes page, two county reports (the largest county and the smallest), every
    statewide notebook's default report (from the registry, so a new notebook is checked too), the instructor
    guide and a lab's page (with its code)."""
    from ma_ice_coop.specs.notebooks import load_notebook_registry, make_run

    statewide = [make_run(spec, {}).html_path for spec in load_notebook_registry() if spec.html_template is None]
    reports = [path.relative_to(REPO / "reports").as_posix() for path in statewide]
    labs = ["labs/guide.html", "labs/student/lab1_cooperation.html"]
    return ["index.html", "changes.html", "counties/Suffolk.html", "counties/Nantucket.html", *reports, *labs]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


class Browser:
    """One headless Chromium with one tab, spoken to over the DevTools protocol (flattened sessions)."""

    def __init__(self, executable: str, profile: Path) -> None:
        import websocket  # websocket-client: lazy, so that collection needs neither it nor a browser

        self.proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError(f"{executable} did not start (exit code {self.proc.returncode})")
            time.sleep(0.05)
        port, path = port_file.read_text().split()
        # websocket-client's pure-Python UTF-8 check of every frame is slower than taking the screenshots
        url = f"ws://127.0.0.1:{port}{path}"
        self.ws = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True, skip_utf8_validation=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)

    def send(self, method: str, *, session: bool = False, **params) -> dict:
        """Send one command and wait for its answer; events that arrive meanwhile are kept in self.events."""
        msg = {"id": next(self.ids), "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == msg["id"]:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]
            if "method" in answer:
                self.events.append(answer)

    def wait_for(self, event: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not any(e["method"] == event for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {event} within {TIMEOUT} s")
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expression: str):
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True, awaitPromise=True
        )
        return result["result"].get("value")

    def load(self, url: str, width: int) -> list[str]:
        """Open `url` in a viewport `width` px wide (a phone below 600 px); return its problems: console errors,
        uncaught exceptions, failed requests and HTTP errors."""
        metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}
        self.send("Emulation.setDeviceMetricsOverride", session=True, **metrics)
        self.events = []
        navigation = self.send("Page.navigate", session=True, url=url)
        if "errorText" in navigation:
            return [f"navigation failed: {navigation['errorText']}"]
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")
        return _problems(self.events)

    def screenshot(self, path: Path) -> None:
        size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], SHOT_HEIGHT), "scale": 1}
        options = {"format": "png", "clip": clip, "captureBeyondViewport": True, "optimizeForSpeed": True}
        shot = self.send("Page.captureScreenshot", session=True, **options)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)  # the browser and its helper processes, which we started
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()


def _problems(events: list[dict]) -> list[str]:
    """The console errors, uncaught exceptions, failed requests and HTTP errors among DevTools events; the
    browser's own request for /favicon.ico (the pages name no icon) does not count."""
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events if "request" in e["params"]}
    problems = []
    for event in events:
        method, params = event["method"], event["params"]
        url = params.get("entry", params.get("response", {})).get("url") or urls.get(params.get("requestId"), "")
        if url.endswith("/favicon.ico"):
            continue
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            problems.append(
                "console error: " + " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            problems.append("uncaught exception: " + params["exceptionDetails"].get("text", ""))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            problems.append(f"console error: {params['entry']['text']} {url}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"failed request: {params['errorText']} {url}")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            problems.append(f"HTTP {params['response']['status']}: {url}")
    return problems


@pytest.fixture(scope="module")
def server():
    """reports/ served over HTTP on 127.0.0.1 (a free port), from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(REPORTS))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: apt-get install -y chromium chromium-driver")
    with tempfile.TemporaryDirectory(prefix="ma-ice-chromium-") as profile:
        chromium = Browser(CHROMIUM, Path(profile))
        yield chromium
        chromium.close()


# What sticks out past the viewport's right edge outside any box that clips or scrolls it (elements and runs of
# text, such as an unbreakable word), for the failure message.
OVERFLOW = """((w) => {
  const clipped = (n) => {
    for (let a = n.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    return false;
  };
  const box = (n) => { const r = document.createRange(); r.selectNodeContents(n); return r.getBoundingClientRect(); };
  const out = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()) && out.length < 5;) {
    const text = n.nodeType === Node.TEXT_NODE, el = text ? n.parentElement : n;
    const right = (text ? box(n) : n.getBoundingClientRect()).right;
    if (right > w + 1 && !clipped(n))
      out.push(`${text ? 'text in ' : ''}<${el.tagName.toLowerCase()} class="${el.className}"> ` +
        `to ${Math.round(right)} px: ${n.textContent.trim().slice(0, 60)}`);
  }
  return out;
})(%d)"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", _pages())
def test_page_fits_the_screen(browser, server, page, width):
    """No sideways page scroll, no console error, no failed request; a full-page screenshot to look at."""
    assert (REPORTS / page).exists(), f"reports/{page} is missing: `make all` builds it"
    problems = browser.load(server + page, width)
    scroll_width, inner_width = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    browser.screenshot(SCREENSHOTS / f"{page.removesuffix('.html').replace('/', '-')}-{width}.png")
    # a phone zooms out to show a page wider than the screen: its innerWidth grows past the screen's width
    assert scroll_width <= inner_width == width, (
        f"{page} scrolls sideways at {width} px: {scroll_width} px wide in a viewport {inner_width} px wide; "
        f"widest: {browser.evaluate(OVERFLOW % width)}"
    )
    assert not problems, f"{page} at {width} px: {problems}"


def _wide_content() -> str:
    """A body with every kind of content that could push a page wider than a phone."""
    cells = "".join(f"<td>column&nbsp;{i}&nbsp;with&nbsp;a&nbsp;long&nbsp;label</td>" for i in range(30))
    word = "ma_ice_coop.analysis.measures." + "x" * 200
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="60"><rect width="2000" height="60"/></svg>'
    return (
        f"<h2>{word}</h2><p>See <a href='https://example.org/{word}'>https://example.org/{word}</a> "
        f"and <code>{word}</code>.</p><pre>{word} {word}</pre>"
        f'<div class="table-wrap"><table id="wrapped"><tr>{cells}</tr></table></div>'
        f'<div class="output_area"><div class="output_html rendered_html output_subarea">'
        f'<table class="dataframe" id="bare"><tr>{cells}</tr></table></div></div>'
        f'{svg}<figure class="ma-figure"><img alt="wide" width="2000" height="60" src="data:image/svg+xml,'
        f'{svg.replace("<", "%3C").replace(">", "%3E").replace(chr(34), chr(39))}"></figure>'
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_wide_content_scrolls_in_its_own_box(browser, tmp_path, width):
    """The stylesheet itself, on content no report has yet: wide tables (bare ones and those in a table-wrap)
    scroll inside their own box; long words, URLs, code, pre, SVG and images never widen the page."""
    from ma_ice_coop.present.pages import html_page

    page = tmp_path / "wide.html"
    page.write_text(html_page("Wide content", _wide_content(), home="index.html"))
    problems = browser.load(page.as_uri(), width)
    scroll_width, inner_width = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width == width, f"widest: {browser.evaluate(OVERFLOW % width)}"
    boxes = browser.evaluate(
        "['.table-wrap', '#bare'].map(s => { const e = document.querySelector(s); return e.scrollWidth > "
        "e.clientWidth && getComputedStyle(e).overflowX === 'auto'; })"
    )
    assert boxes == [True, True], "a wide table does not scroll inside its own box"
    assert browser.evaluate("getComputedStyle(document.getElementById('wrapped')).display") == "table"
    assert not problems, problems
