"""Headless Chromium rendering Mermaid from a local page (file://, no network): did every diagram draw?

The bundle is the `mermaid` npm package's, installed by .ci/run into .schema-tools/ (git-ignored).
Chromium loads a page that renders each diagram with `mermaid.render` and writes the SVG, or the
error, into the DOM; `--dump-dom` reads it back.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MERMAID_JS = REPO / ".schema-tools" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
ERROR_MARKERS = ("Syntax error", "error-icon", "Parse error", "Maximum text size", "Too many edges")


def need_chromium() -> tuple[str, Path]:
    """Chromium and the mermaid bundle, or a skip (a failure under CI=true: .ci/run installs both)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    bundle = Path(os.environ.get("SCHEMA_MERMAID_JS", MERMAID_JS))
    missing = []
    if browser is None:
        missing.append("chromium (apt-get install chromium)")
    if not bundle.is_file():
        missing.append(f"the mermaid npm package ({bundle}; npm install --prefix .schema-tools mermaid)")
    if missing:
        reason = "needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — .ci/run installs them")
        pytest.skip(reason)
    assert browser is not None
    return browser, bundle


@dataclass(frozen=True)
class Rendered:
    ok: bool
    error: str
    text: str  # the drawn diagram's text content (labels)
    has_svg: bool


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>diagrams</title>
<script src="{bundle}"></script></head>
<body>
<script type="application/json" id="sources">{sources}</script>
<div id="out"></div>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
(async () => {{
  const sources = JSON.parse(document.getElementById("sources").textContent);
  const out = document.getElementById("out");
  for (let i = 0; i < sources.length; i++) {{
    const d = document.createElement("div");
    d.className = "diagram";
    try {{
      const r = await mermaid.render("d" + i, sources[i]);
      d.innerHTML = r.svg;
      d.setAttribute("data-ok", "1");
    }} catch (e) {{
      const pre = document.createElement("pre");
      pre.className = "render-error";
      pre.textContent = String((e && e.message) || e);
      d.appendChild(pre);
      d.setAttribute("data-ok", "0");
    }}
    out.appendChild(d);
  }}
  document.body.setAttribute("data-done", "1");
}})();
</script></body></html>
"""


class _Diagrams(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[dict[str, object]] = []
        self.depth = 0  # inside a diagram div, nesting depth of its elements
        self.done = False
        self.in_style = False  # the SVG's CSS names .error-icon whether or not there is an error

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "body" and a.get("data-done") == "1":
            self.done = True
        if self.depth:
            self.depth += 1
            self.in_style = tag == "style"
            if tag == "svg":
                self.found[-1]["svg"] = True
            if tag == "pre" and a.get("class") == "render-error":
                self.found[-1]["pre"] = True
            classes = a.get("class") or ""
            if "error-icon" in classes or "error-text" in classes:
                self.found[-1]["marker"] = True
        elif tag == "div" and a.get("class") == "diagram":
            self.depth = 1
            self.found.append({"ok": a.get("data-ok") == "1", "text": [], "svg": False})

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.in_style:
            self.found[-1]["text"].append(data)  # type: ignore[union-attr]


def render_mermaid(diagrams: list[str], workdir: Path, screenshot: Path | None = None,
                   size: tuple[int, int] = (1600, 1200)) -> list[Rendered]:
    browser, bundle = need_chromium()
    workdir.mkdir(parents=True, exist_ok=True)
    sources = json.dumps(diagrams).replace("</", "<\\/")
    page = workdir / "diagrams.html"
    page.write_text(PAGE.format(bundle=html.escape(bundle.resolve().as_uri()), sources=sources), encoding="utf-8")
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={workdir / 'profile'}", "--virtual-time-budget=60000"]
    extra = []
    if screenshot is not None:  # the same run: the page's top, i.e. the first diagram
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        extra = [f"--window-size={size[0]},{size[1]}", f"--screenshot={screenshot}"]
    done = subprocess.run([*base, *extra, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                          timeout=300)
    parser = _Diagrams()
    parser.feed(done.stdout)
    assert parser.done, f"the page did not finish rendering: {done.stderr[-2000:]}"
    out = []
    for d in parser.found:
        text = " ".join("".join(d["text"]).split())  # type: ignore[arg-type]
        error = text if d.get("pre") or d.get("marker") else ""
        ok = bool(d["ok"]) and not error and not any(m in text for m in ERROR_MARKERS)
        out.append(Rendered(ok, error or ("" if ok else text[:500]), text, bool(d["svg"])))
    return out


def artifact_dir(name: str, tmp_path: Path) -> Path:
    """Where a test's artifacts go: $SCHEMA_TEST_ARTIFACTS/<name> when set, else under tmp_path."""
    root = os.environ.get("SCHEMA_TEST_ARTIFACTS")
    path = Path(root) / name if root else tmp_path / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path
