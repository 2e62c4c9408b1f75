"""Open the chapters in JupyterLab, in headless Chromium with the network off, as a reader
who follows the README's ``jupyter lab`` command.

Run from the project root (``make test`` runs it as ``make jupyterlab``):

    python tests/jupyterlab_check.py [book/elbo.ipynb ...]   # default: every chapter

A JupyterLab server is started on 127.0.0.1 with a throw-away settings folder (every cell
rendered, not only those in view) and each notebook is opened in Chromium. A chapter fails on:

- any MyST role left raw in the rendered Markdown (text such as ``{cite}`...``` or
  ``{eq}`...```: a role JupyterLab's MyST renderer did not resolve);
- any console error (JupyterLab logs a cross-reference it cannot resolve as one);
- a notebook marked modified once it opened and its kernel started (opening must not change
  the file). The one change allowed is ``language_info.version``: JupyterLab writes the
  kernel's Python version into the notebook, and a reader's patch release may differ from
  the one that executed the chapters;
- a citation JupyterLab could not resolve (shown with "Citation Not Found");
- with ``--html`` (the built book), equation or exercise numbers that differ from the HTML
  page's: the book numbers both per chapter (3.2), and the two renderers must agree.

One line per chapter is printed; the exit status is 1 when any chapter fails. Without
Chromium, chromedriver or selenium the check is skipped, except under ``CI=true``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from browser_check import INSTALL_HINT, find_browser, make_driver, print_problems

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 120
SETTLE_S = 3.0

# Every cell is rendered up front: with JupyterLab's default windowing only the cells in
# view would be, and a raw role further down would go unseen.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# Waits until every Markdown cell of the open notebook has rendered (MyST output present),
# then reports raw roles, the rendered cell count and whether the document is dirty.
INSPECT_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const t0 = Date.now();
  const panel = () => document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  while (Date.now() - t0 < 60000) {
    const p = panel();
    const cells = p ? p.querySelectorAll('.jp-MarkdownCell') : [];
    const rendered = p ? p.querySelectorAll('.jp-MarkdownCell .myst') : [];
    if (cells.length && rendered.length >= cells.length) break;
    await new Promise(r => setTimeout(r, 250));
  }
  // The kernel starting is what may rewrite the notebook's metadata: wait for it.
  const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (widget && widget.sessionContext) await widget.sessionContext.ready;
  await new Promise(r => setTimeout(r, arguments[0] * 1000));
  const p = panel();
  if (!p) { done({cells: 0, raw: ['no notebook panel opened'], dirty: false}); return; }
  const raw = [];
  const role = /\{[a-z][a-z0-9:-]*\}`[^`]*`/g;
  for (const cell of p.querySelectorAll('.jp-MarkdownCell .myst')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentElement && n.parentElement.closest('pre, code')) continue;
      for (const m of n.textContent.matchAll(role)) raw.push(m[0]);
    }
  }
  // Numbers as drawn: the one beside each display equation, and each exercise's title.
  const numbered = /^\(\d+(\.\d+)*\)$/;
  const equations = [];
  for (const eq of p.querySelectorAll('.jp-MarkdownCell .myst .katex-display')) {
    const row = eq.parentElement && eq.parentElement.parentElement;
    const texts = row ? Array.from(row.children).map(c => c.innerText.trim()) : [];
    equations.push(texts.find(t => numbered.test(t)) || '');
  }
  const exercises = [];
  for (const el of p.querySelectorAll('.jp-MarkdownCell .myst .myst-exercise-title')) {
    const m = el.innerText.trim().match(/^Exercise (\d+(\.\d+)*)/);
    if (m) exercises.push(m[1]);
  }
  done({
    equations,
    exercises,
    cells: p.querySelectorAll('.jp-MarkdownCell').length,
    raw,
    unresolved: p.querySelectorAll('.jp-MarkdownCell [title$="Not Found"]').length,
    dirty: !!(widget && widget.context && widget.context.model.dirty),
    metadata: widget && widget.context ? widget.context.model.toJSON().metadata : null,
  });
})();
"""


def chapters() -> list[Path]:
    """The notebooks of the book, in the table of contents' order."""
    return sorted((ROOT / "book").glob("*.ipynb"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(settings_dir: Path, port: int) -> subprocess.Popen:
    """A JupyterLab server on ``port`` serving the project, no token, no browser."""
    for name, values in SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings_dir)}
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        "--IdentityProvider.token=",
        "--ServerApp.password=",
        f"--ServerApp.root_dir={ROOT}",
        "--allow-root",
        # The check reads the open document's own dirty flag through the app.
        "--LabApp.expose_app_in_browser=True",
    ]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"JupyterLab did not answer on port {port} within {TIMEOUT_S} s")


def html_numbers(page: Path) -> tuple[list[str], list[str]]:
    """The equation numbers and exercise numbers of a built HTML chapter, in page order."""
    text = page.read_text()
    equations = re.findall(r'class="eqno">(\(\d+(?:\.\d+)*\))', text)
    exercises = re.findall(r'class="caption-number">Exercise (\d+(?:\.\d+)*)', text)
    return equations, [html.unescape(e) for e in exercises]


def metadata_changes(stored: dict, opened: dict | None, prefix: str = "") -> list[str]:
    """The dotted keys whose values differ between the notebook's stored metadata and the
    metadata JupyterLab holds once the kernel started."""
    opened = opened or {}
    changed = []
    for key in sorted(set(stored) | set(opened)):
        a, b = stored.get(key), opened.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changed += metadata_changes(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed


def check_chapter(driver, base: str, notebook: Path, html_root: Path | None) -> list[str]:
    """The problems of one chapter opened in JupyterLab."""
    rel = notebook.relative_to(ROOT).as_posix()
    driver.get(f"{base}/lab/tree/{rel}?reset")
    result = driver.execute_async_script(INSPECT_JS, SETTLE_S)
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    problems = [f"console error: {m}" for m in dict.fromkeys(errors)]
    problems += [f"raw role: {r}" for r in result["raw"]]
    if result["unresolved"]:
        problems.append(f"{result['unresolved']} citations or references not found")
    page = html_root / "book" / f"{notebook.stem}.html" if html_root else None
    if page is not None and page.is_file():
        equations, exercises = html_numbers(page)
        if result["equations"] != equations:
            problems.append(f"equation numbers {result['equations']} but {equations} in HTML")
        if result["exercises"] != exercises:
            problems.append(f"exercise numbers {result['exercises']} but {exercises} in HTML")
    if result["dirty"]:
        changed = metadata_changes(json.loads(notebook.read_text())["metadata"], result["metadata"])
        if changed != ["language_info.version"]:
            problems.append(f"opening marks the notebook modified (changed: {changed or 'cells'})")
    if result["cells"] == 0:
        problems.append("no Markdown cell rendered")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--html", type=Path, help="the built book, to compare numbers with")
    parser.add_argument("--max-problems", type=int, default=8, help="problems listed per page")
    args = parser.parse_args(argv)
    notebooks = [n.resolve() for n in args.notebooks] or chapters()

    browser = find_browser()
    if browser is None:
        print(INSTALL_HINT, file=sys.stderr)
        if os.environ.get("CI", "").lower() == "true":
            print("JupyterLab check: FAILED (CI=true and no browser)", file=sys.stderr)
            return 1
        print("JupyterLab check: SKIPPED (not in CI)", file=sys.stderr)
        return 0

    os.environ.setdefault("SE_OFFLINE", "true")
    port = free_port()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="catuvac-lab-") as tmp:
        server = start_lab(Path(tmp) / "settings", port)
        try:
            for i, notebook in enumerate(notebooks):
                # A browser per chapter: leaving a JupyterLab page logs a 'beforeunload'
                # console error that belongs to the check, not to the next chapter.
                driver = make_driver(*browser, str(Path(tmp) / f"chromium-{i}"))
                try:
                    problems = check_chapter(
                        driver, f"http://127.0.0.1:{port}", notebook, args.html
                    )
                finally:
                    driver.quit()
                failed += bool(problems)
                name = notebook.relative_to(ROOT).as_posix()
                print(f"{'FAIL' if problems else 'ok':4} {name}: {len(problems)} problems")
                print_problems(problems, args.max_problems)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"JupyterLab check: {failed} of {len(notebooks)} chapters failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
