"""Open every page of the built book in headless Chromium, with the network off, as a reader.

Run after the strict HTML build (``make html``); ``make test`` runs it as ``make browser``:

    python tests/browser_check.py [book/_build/html]

The folder is served from a local ``http.server`` on 127.0.0.1 and Chromium resolves no other
host, so a page that needs a CDN fails here as it would for a reader without a network. A
page fails on:

- any console error (a script error, a resource that did not load);
- any math left untypeset (a ``.math`` element MathJax did not render, or raw TeX delimiters
  left in the text);
- any image that did not load, or is shown below 60% of its natural width;
- any code cell, output, table or equation wider than the text column, or wider than its
  own box (content that only fits by scrolling sideways counts as wider);
- any ``<audio>`` element without a source the browser can play.

One line per page is printed; the exit status is 1 when any page fails. When Chromium,
chromedriver or selenium is missing the check says how to install them and is skipped,
except under ``CI=true``, where a missing browser is a failure.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

WINDOW = (1280, 1000)  # a laptop browser window, in CSS pixels
MIN_IMAGE_SCALE = 0.6
TIMEOUT_S = 60

INSTALL_HINT = (
    "the browser check needs Chromium, chromedriver and selenium:\n"
    "    sudo apt-get install chromium chromium-driver   # Debian/Ubuntu\n"
    "    .venv/bin/pip install -e '.[test]'              # selenium"
)

CHROME_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
    # Network off: every host but the local server fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
]

# Waits for MathJax (when the page loads it) and for every <audio> element's metadata, then
# measures the page. Returns a dict of counts and a list of problems.
INSPECT_JS = r"""
const done = arguments[arguments.length - 1];
const minScale = arguments[0];
const problems = [];
const counts = {math: 0, images: 0, boxes: 0, tables: 0, audio: 0};

function label(el) {
  const sec = el.closest('section[id]');
  const where = sec ? '#' + sec.id : '';
  const text = (el.innerText || el.getAttribute('src') || '').trim().replace(/\s+/g, ' ');
  return `${el.tagName.toLowerCase()}${where} "${text.slice(0, 50)}"`;
}

async function mathReady() {
  if (!document.querySelector('.math, mjx-container')) return;
  const t0 = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 20000) { problems.push('MathJax never loaded'); return; }
    await new Promise(r => setTimeout(r, 100));
  }
  await MathJax.startup.promise;
}

function audioReady(el) {
  return new Promise(resolve => {
    const finish = () => resolve();
    if (el.readyState >= 1 || el.error) return finish();
    el.addEventListener('loadedmetadata', finish, {once: true});
    el.addEventListener('error', finish, {once: true});
    const sources = el.querySelectorAll('source');
    if (sources.length) sources[sources.length - 1].addEventListener('error', finish, {once: true});
    setTimeout(finish, 10000);
    el.preload = 'metadata';
    el.load();
  });
}

(async () => {
  try {
    await mathReady();
    const article = document.querySelector('article.bd-article') || document.body;
    const cs = getComputedStyle(article);
    const column = article.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const left = article.getBoundingClientRect().left + parseFloat(cs.paddingLeft);

    // Math: every math element typeset, no raw TeX left in the article's text.
    const maths = article.querySelectorAll('.math');
    counts.math = maths.length;
    for (const m of maths) {
      if (!m.querySelector('mjx-container') && !m.matches('mjx-container')) {
        problems.push(`untypeset math ${label(m)}`);
      }
    }
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    const tex = /\\\(|\\\[|\$\$|\\begin\{|\\frac\{|\\mathbb\{/;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent) continue;
      if (parent.closest('pre, code, script, style, mjx-container, .highlight')) continue;
      if (tex.test(n.textContent)) {
        problems.push(`raw TeX in ${label(parent)}`);
      }
    }
    // Titles and navigation carry math too (headings in the sidebar).
    for (const el of document.querySelectorAll('title, .bd-sidebar-primary a, .bd-toc a')) {
      if (/\$[^$]+\$|\\\(/.test(el.textContent)) problems.push(`raw TeX in ${label(el)}`);
    }

    // Images: loaded and shown at >= minScale of their natural width.
    for (const img of article.querySelectorAll('img')) {
      counts.images += 1;
      if (!img.complete || img.naturalWidth === 0) {
        problems.push(`image did not load: ${img.getAttribute('src')}`);
        continue;
      }
      const shown = img.getBoundingClientRect().width;
      const scale = shown / img.naturalWidth;
      if (scale < minScale) {
        problems.push(`image shown at ${scale.toFixed(2)} of its width ` +
          `(${Math.round(shown)} of ${img.naturalWidth} px): ${label(img)}`);
      }
    }

    // Boxes wider than the text column: code, outputs, tables, display equations.
    const seen = new Set();
    const boxes = article.querySelectorAll(
      'div.highlight pre, .cell_output pre, .output pre, .cell_output .output, ' +
      'table, mjx-container[display="true"], div.math');
    for (const el of boxes) {
      if (seen.has(el) || el.closest('.toggle-hidden, details:not([open])')) continue;
      seen.add(el);
      if (el.tagName === 'TABLE') counts.tables += 1;
      else if (el.matches('mjx-container, div.math')) { /* counted as math */ }
      else counts.boxes += 1;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;  // hidden (a collapsed dropdown)
      let width = Math.max(r.width, el.scrollWidth);
      const inner = el.matches('mjx-container') ? el.querySelector('mjx-math') : null;
      if (inner) width = Math.max(width, inner.getBoundingClientRect().width);
      const right = r.left - left + width;
      if (width > column + 1 || right > column + 1) {
        problems.push(`wider than the column (${Math.round(width)} > ${Math.round(column)} px): ` +
          label(el));
      } else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
        // Fits the column but not its own box (an equation beside its number): it scrolls.
        problems.push(`scrolls sideways (${el.scrollWidth} > ${el.clientWidth} px): ${label(el)}`);
      }
    }

    // Audio: a source the browser can play.
    const audios = Array.from(document.querySelectorAll('audio'));
    counts.audio = audios.length;
    await Promise.all(audios.map(audioReady));
    for (const a of audios) {
      const sources = Array.from(a.querySelectorAll('source'));
      const srcs = (a.getAttribute('src') ? [a] : []).concat(sources);
      const playable = srcs.some(s => !s.type || a.canPlayType(s.type) !== '');
      if (!srcs.length) problems.push(`audio without a source: ${label(a)}`);
      else if (!playable) problems.push(`audio of a type the browser cannot play: ${label(a)}`);
      else if (a.error || a.readyState < 1 || !isFinite(a.duration) || a.duration <= 0) {
        problems.push(`audio source did not load: ${label(a)}` +
          (a.error ? ` (error ${a.error.code})` : ''));
      }
    }
    done({column: Math.round(column), counts, problems});
  } catch (e) {
    done({column: 0, counts, problems: problems.concat([`check failed: ${e}`])});
  }
})();
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def pages(root: Path) -> list[Path]:
    skip = {"_static", "_sources", "_images", "_sphinx_design_static"}
    found = [p for p in root.rglob("*.html") if not skip & set(p.relative_to(root).parts)]
    return sorted(found, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def find_browser() -> tuple[str, str] | None:
    chrome = next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    driver = shutil.which("chromedriver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None
    if not chrome or not driver:
        return None
    return chrome, driver


def make_driver(chrome: str, driver_path: str, profile_dir: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(TIMEOUT_S)
    driver.set_page_load_timeout(TIMEOUT_S)
    return driver


def check_page(driver, url: str) -> dict:
    driver.get(url)
    result = driver.execute_async_script(INSPECT_JS, MIN_IMAGE_SCALE)
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    result["problems"] = [f"console error: {m}" for m in errors] + result["problems"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="book/_build/html", type=Path)
    parser.add_argument("--max-problems", type=int, default=8, help="problems listed per page")
    args = parser.parse_args(argv)

    in_ci = os.environ.get("CI", "").lower() == "true"
    browser = find_browser()
    if browser is None:
        print(INSTALL_HINT, file=sys.stderr)
        if in_ci:
            print("browser check: FAILED (CI=true and no browser)", file=sys.stderr)
            return 1
        print("browser check: SKIPPED (not in CI)", file=sys.stderr)
        return 0
    if not (args.root / "index.html").is_file():
        print(f"no built book at {args.root}: run `make html` first", file=sys.stderr)
        return 1

    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look anything up online
    server, base = serve(args.root)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="catuvac-chromium-") as profile:
        driver = make_driver(*browser, profile)
        try:
            for page in pages(args.root):
                rel = page.relative_to(args.root).as_posix()
                result = check_page(driver, f"{base}/{rel}")
                c, problems = result["counts"], result["problems"]
                status = "FAIL" if problems else "ok"
                failed += bool(problems)
                print(
                    f"{status:4} {rel}: {c['math']} math, {c['images']} images, "
                    f"{c['boxes']} code/output boxes, {c['tables']} tables, {c['audio']} audio, "
                    f"{len(problems)} problems (column {result['column']} px)",
                    flush=True,
                )
                for p in problems[: args.max_problems]:
                    print(f"       - {p}")
                if len(problems) > args.max_problems:
                    print(f"       - ... and {len(problems) - args.max_problems} more")
        finally:
            driver.quit()
            server.shutdown()
    print(f"browser check: {failed} of {len(pages(args.root))} pages failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
