"""Open every page of the built book in headless Chromium, with the network off, as a reader,
at a laptop's window (1280 px wide) and on a phone (420 px wide).

Run after the strict HTML build (``make html``); ``make test`` runs it as ``make browser``:

    python tests/browser_check.py [book/_build/html]

The folder is served from a local ``http.server`` on 127.0.0.1 and Chromium resolves no other
host, so a page that needs a CDN fails here as it would for a reader without a network. Each
page is opened twice: in a 1280x1000 window, and with a phone's 420x900 screen emulated
(Chromium's device metrics, mobile: the page's viewport tag is obeyed, and a page wider than
the screen widens the layout instead of scrolling). At both widths a page fails on:

- any console error (a script error, a resource that did not load);
- any math left untypeset (a ``.math`` element MathJax did not render, or raw TeX delimiters
  left in the text);
- any image that did not load, or is shown below 60% of its natural width (on the phone an
  image too wide for that may instead fill the column);
- a page wider than the window (the document's scroll width over the viewport's, 1 px
  allowed for rounding);
- any display equation that is not whole in its box: wider than the text column, or fitting
  the column but not its own box (beside its number), so that it scrolls sideways or is cut
  off. MathJax 3 does not break lines: the book's script (``book/_ext/static/book.js``) scales
  an equation too wide for its box down to fit, and an equation shown below 60% of its size
  fails, as an image does (on a phone, the widest of the book's equations are shown at about
  0.6; narrower ones, at full size);
- an equation number (``span.eqno``) whose box meets the equation's (the ``mjx-container`` or
  the typeset ``mjx-math`` in it), or that its box cuts off; on a phone the book puts the
  number on its own line under the equation;
- inline math that its box cuts off, or shown below 60% of its size;
- a formula too small to read: the height at which MathJax draws its capitals and digits (at
  its own size, not its sub- and superscripts: the smallest box of such a glyph, from the
  font's metrics, or 0.683 em in a formula without one) under 10 px in a display equation or
  9 px in inline math. Unscaled, the book's display equations measure 13.9 px and inline math
  in a 13 px table 9.6 px; at 9 px, Eqs. 2.6 to 2.9, shrunk to about 0.65 on a phone, measured
  9.0 to 9.5 px and would pass, with the capitals of their subscripts at 6.5 px, so a
  display equation is held to 10. book.js shrinks no formula below these floors; one still
  too wide scrolls in its box and fails here, to be split over lines in its chapter;
- an ``<audio>`` element without a source the browser can play.

Code cells, outputs and tables: at 1280 px, any wider than the text column or than its own
box (content that only fits by scrolling sideways counts as wider) fails. On the phone, code
keeps its lines and a table its columns, so such a box may scroll sideways inside itself (a
phone reader's usual way to read code, counted as "scroll in place"), but what shows of it
must lie in the column and none may be cut off without a way to scroll to it. A table is cut
off when part of it, or of a cell's text, lies outside a box that hides its overflow with no
box that scrolls between them (at both widths). On the phone a table cell may not wrap to more
than 8 lines of text either (a row some 160 px tall): a table too wide for its box is laid
out with each column squeezed to its longest word, so that a column of sentences wraps a word
or two a line (rows 300 to 500 px tall); book.js gives such columns room (see its comments).

One line per page and width is printed, then per width the pages that failed and the smallest
glyph heights measured; the exit status is 1 when any page fails at either
width. When Chromium, chromedriver or selenium is missing the check says how to install them
and is skipped, except under ``CI=true``, where a missing browser is a failure.
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
PHONE = (420, 900)  # a phone held upright, in CSS pixels
MIN_IMAGE_SCALE = 0.6
MIN_MATH_SCALE = 0.6  # the floor of book/_ext/static/book.js, which fits wide equations
# The height of a formula's capitals and digits at its own size (not its scripts), in CSS px:
# a display equation at least 10, inline math at least 9 (see the module's docstring).
MIN_DISPLAY_GLYPH_PX = 10
MIN_INLINE_GLYPH_PX = 9
MAX_CELL_LINES = 8  # on a phone, the most lines of text a table cell may wrap to
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
const [minScale, minMathScale, windowWidth, narrow, minGlyph, maxCellLines] = arguments;
const [minDisplayGlyph, minInlineGlyph] = minGlyph;
const problems = [];
const counts = {math: 0, images: 0, boxes: 0, tables: 0, audio: 0, scrolling: 0,
                glyph: null, inlineGlyph: null};  // the smallest glyph heights seen

// The first n characters, not splitting a surrogate pair (math italics are two UTF-16 units).
function cut(text, n) {
  return Array.from(text).slice(0, n).join('');
}

function label(el) {
  const sec = el.closest('section[id]');
  const where = sec ? '#' + sec.id : '';
  const text = (el.innerText || el.getAttribute('src') || '').trim().replace(/\s+/g, ' ');
  return `${el.tagName.toLowerCase()}${where} "${cut(text, 50)}"`;
}

async function mathReady() {
  if (!document.querySelector('.math, mjx-container')) return;
  const t0 = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - t0 > 20000) { problems.push('MathJax never loaded'); return; }
    await new Promise(r => setTimeout(r, 100));
  }
  await MathJax.startup.promise;
  // The book's script fits wide equations once MathJax is done: let it and the layout settle.
  const frame = () => new Promise(r => requestAnimationFrame(r));
  await frame();
  await frame();
  await new Promise(r => setTimeout(r, 150));
}

// A formula's glyph height, in px: how tall MathJax draws a capital letter or a digit at the
// formula's own size (its sub- and superscripts are smaller by design): the smallest box of
// such a glyph (an mjx-c, sized by the font's metrics: 0.67 to 0.73 em), or, in a formula
// without one, the height of a capital X (0.683 em) at its size.
function glyphHeight(m) {
  const size = parseFloat(getComputedStyle(m).fontSize);
  let least = Infinity;
  for (const g of m.querySelectorAll('mjx-c')) {
    const code = Array.from(g.classList).find(k => /^mjx-c[0-9A-F]+$/.test(k));
    if (!code) continue;
    const ch = String.fromCodePoint(parseInt(code.slice(5), 16)).normalize('NFKC');
    if (!/^[A-Z0-9]$/.test(ch)) continue;
    if (Math.abs(parseFloat(getComputedStyle(g).fontSize) - size) > 0.01) continue;
    const h = g.getBoundingClientRect().height;
    if (h > 0) least = Math.min(least, h);
  }
  return isFinite(least) ? least : 0.683 * size;
}

// Why a table is cut off, or null: a part of it (or of a cell's content) lies outside a box
// that hides its overflow, with no box that scrolls between them. A table in a box that scrolls
// sideways (the theme's wrapper, an output area) is whole: the reader scrolls to the rest.
function cutOff(table, article) {
  const r = table.getBoundingClientRect();
  for (let p = table; p && p !== article; p = p.parentElement) {
    const cs = getComputedStyle(p);
    const hides = o => o === 'hidden' || o === 'clip';
    if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') break;
    const b = p.getBoundingClientRect();
    if (hides(cs.overflowX) && (r.left < b.left - 1 || r.right > b.right + 1)) {
      return `cut off at the side (${Math.round(r.width)} px in a ${Math.round(b.width)} px box)`;
    }
    if (hides(cs.overflowY) && (r.top < b.top - 1 || r.bottom > b.bottom + 1)) {
      return `cut off below (${Math.round(r.height)} px in a ${Math.round(b.height)} px box)`;
    }
  }
  for (const c of table.querySelectorAll('td, th, td > *, th > *')) {
    const cs = getComputedStyle(c);
    const hides = o => o === 'hidden' || o === 'clip';
    if ((hides(cs.overflowX) && c.scrollWidth > c.clientWidth + 1) ||
        (hides(cs.overflowY) && c.scrollHeight > c.clientHeight + 1)) {
      return `a cell cut off (${c.scrollWidth} x ${c.scrollHeight} px of text in ` +
        `${c.clientWidth} x ${c.clientHeight}): "${cut((c.innerText || '').trim(), 40)}"`;
    }
  }
  return null;
}

// The table's cell of the most lines of text (its text's height over its line height), with
// the lines and the cell's width; cells that hold an image or a player are not counted.
function tallestCell(table) {
  let worst = null;
  for (const c of table.querySelectorAll('td, th')) {
    if (c.querySelector('img, audio, video, canvas, svg, iframe')) continue;
    const range = document.createRange();
    range.selectNodeContents(c);
    const cs = getComputedStyle(c);
    const lh = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);  // 'normal'
    const lines = range.getBoundingClientRect().height / lh;
    if (!worst || lines > worst.lines) worst = {cell: c, lines, width: c.clientWidth};
  }
  return worst;
}

function overlap(a, b) {
  return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
    Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
}

// What makes the page wider: the elements that reach past the window's right edge out of a
// parent that does not (a full-width bar stretched with the page is not listed), unless a box
// that scrolls or clips, inside the window, holds them in; else the page's top-level boxes.
function pastTheWindow(view) {
  const past = el => el.getBoundingClientRect().right + window.scrollX > view + 1;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().width === 0 || !past(el)) continue;
    if (past(el.parentElement)) continue;
    let held = false;
    for (let p = el.parentElement; p && p !== document.body && !held; p = p.parentElement) {
      held = getComputedStyle(p).overflowX !== 'visible' && !past(p);
    }
    if (!held) found.push(el);
  }
  return found.length ? found : Array.from(document.body.children).filter(past);
}

// The element's box as shown: clipped by the nearest box (itself or above, inside the
// article) that scrolls or clips sideways, which is returned too.
function visibleBox(el, article) {
  for (let p = el; p && p !== article; p = p.parentElement) {
    if (getComputedStyle(p).overflowX !== 'visible') {
      const r = el.getBoundingClientRect(), c = p.getBoundingClientRect();
      return {clip: p, left: Math.max(r.left, c.left), right: Math.min(r.right, c.right)};
    }
  }
  const r = el.getBoundingClientRect();
  return {clip: null, left: r.left, right: r.right};
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
    while (document.readyState !== 'complete') await new Promise(r => setTimeout(r, 50));
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

    // Images: loaded and shown at >= minScale of their natural width; on a phone, an image
    // too wide for that may instead fill the column.
    for (const img of article.querySelectorAll('img')) {
      counts.images += 1;
      if (!img.complete || img.naturalWidth === 0) {
        problems.push(`image did not load: ${img.getAttribute('src')}`);
        continue;
      }
      const shown = img.getBoundingClientRect().width;
      const scale = shown / img.naturalWidth;
      if (scale < minScale && !(narrow && shown >= column - 1)) {
        problems.push(`image shown at ${scale.toFixed(2)} of its width ` +
          `(${Math.round(shown)} of ${img.naturalWidth} px): ${label(img)}`);
      }
    }

    // The page: no wider than the window (a phone would zoom the whole page out or scroll it).
    const root = document.documentElement;
    const view = Math.min(root.clientWidth || windowWidth, windowWidth);
    const pageWidth = Math.max(root.scrollWidth, document.body.scrollWidth);
    if (pageWidth > view + 1) {
      problems.push(`page wider than the window (${pageWidth} > ${view} px): ` +
        pastTheWindow(view).slice(0, 3).map(label).join('; '));
    }

    // Code, outputs and tables. At a laptop's width none is wider than the text column or
    // scrolls sideways inside it; on a phone one may scroll inside its own box, but what
    // shows of it lies in the column, and none is cut off without a way to scroll to it.
    const seen = new Set();
    const boxes = article.querySelectorAll(
      'div.highlight pre, .cell_output pre, .output pre, .cell_output .output, table');
    for (const el of boxes) {
      if (seen.has(el) || el.closest('.toggle-hidden, details:not([open])')) continue;
      seen.add(el);
      if (el.tagName === 'TABLE') counts.tables += 1;
      else counts.boxes += 1;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;  // hidden (a collapsed dropdown)
      if (el.tagName === 'TABLE') {
        const why = cutOff(el, article);
        if (why) problems.push(`table ${why}: ${label(el)}`);
        // On a phone a table may scroll, but not squeeze a column to a word or two a line.
        const t = narrow ? tallestCell(el) : null;
        if (t && t.lines > maxCellLines + 0.25) {
          problems.push(`table cell of ${Math.round(t.lines)} lines (over ${maxCellLines}) ` +
            `in a ${t.width} px column: ${label(el)}, cell ` +
            `"${cut((t.cell.innerText || '').trim().replace(/\s+/g, ' '), 40)}"`);
        }
      }
      if (narrow) {
        const s = visibleBox(el, article);
        if (s.left < left - 1 || s.right > left + column + 1) {
          problems.push(`wider than the column (${Math.round(s.right - s.left)} > ` +
            `${Math.round(column)} px): ${label(el)}`);
        } else if (s.clip && s.clip.scrollWidth > s.clip.clientWidth + 1 &&
                   (s.clip === el || s.clip.contains(el))) {
          const ox = getComputedStyle(s.clip).overflowX;
          if (ox === 'hidden' || ox === 'clip') {
            if (el.tagName !== 'TABLE') {  // a table's clipping is reported above
              problems.push(`cut off (${s.clip.scrollWidth} > ${s.clip.clientWidth} px): ` +
                label(el));
            }
          } else if (s.clip === el || !seen.has(s.clip)) {
            seen.add(s.clip);
            counts.scrolling += 1;
          }
        }
        continue;
      }
      const width = Math.max(r.width, el.scrollWidth);
      const right = r.left - left + width;
      if (width > column + 1 || right > column + 1) {
        problems.push(`wider than the column (${Math.round(width)} > ${Math.round(column)} px): ` +
          label(el));
      } else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
        problems.push(`scrolls sideways (${el.scrollWidth} > ${el.clientWidth} px): ${label(el)}`);
      }
    }

    // Display equations, at both widths: the whole equation in its box, neither wider than
    // the column nor scrolling inside it, shrunk to fit no further than minMathScale of its
    // size; its number clear of it and not cut off.
    const units = Array.from(article.querySelectorAll('div.math'));
    for (const c of article.querySelectorAll('mjx-container[display="true"]')) {
      if (!c.closest('div.math')) units.push(c);
    }
    for (const u of units) {
      if (u.closest('.toggle-hidden, details:not([open])')) continue;
      const r = u.getBoundingClientRect();
      if (r.width === 0) continue;
      const c = u.matches('mjx-container') ? u : u.querySelector('mjx-container');
      const m = c && c.querySelector('mjx-math');
      if (!m) continue;  // untypeset: reported above
      const sec = u.closest('section[id]');
      const mml = c.querySelector('mjx-assistive-mml') || m;  // CHTML glyphs are CSS content
      const text = cut((mml.textContent || '').trim().replace(/\s+/g, ' '), 40);
      const name = `equation ${u.id ? '#' + u.id : '(unnumbered)'}` +
        `${sec ? ' in #' + sec.id : ''} "${text}"`;
      const px = el => parseFloat(getComputedStyle(el).fontSize);
      const scale = px(m) / px(c);
      if (scale < minMathScale - 0.005) {
        problems.push(`shrunk to ${scale.toFixed(2)} of its size (below ${minMathScale}): ${name}`);
      }
      const glyph = glyphHeight(m);
      counts.glyph = Math.min(counts.glyph ?? Infinity, glyph);
      if (glyph < minDisplayGlyph - 0.005) {
        problems.push(`too small to read: glyphs ${glyph.toFixed(1)} px tall (below ` +
          `${minDisplayGlyph}): ${name}`);
      }
      const cr = c.getBoundingClientRect(), mr = m.getBoundingClientRect();
      const widest = Math.max(r.width, cr.width, mr.width, u.scrollWidth, c.scrollWidth);
      const l = Math.min(r.left, cr.left, mr.left) - left;
      const rt = Math.max(r.right, cr.right, mr.right) - left;
      if (widest > column + 1 || l < -1 || rt > column + 1) {
        problems.push(`wider than the column (${Math.round(widest)} > ${Math.round(column)} px): ` +
          name);
      } else if (mr.left < cr.left - 1 || mr.right > cr.right + 1 ||
                 c.scrollWidth > c.clientWidth + 1 || u.scrollWidth > u.clientWidth + 1) {
        // Fits the column but not its own box (beside its number): it scrolls or is cut off.
        problems.push(`scrolls sideways (${Math.round(Math.max(mr.width, c.scrollWidth))} > ` +
          `${c.clientWidth} px): ${name}`);
      }
      const e = u.matches('div.math') ? u.querySelector(':scope > span.eqno') : null;
      if (!e) continue;
      const er = e.getBoundingClientRect();
      if (er.width === 0) continue;
      const number = e.textContent.replace('#', '').trim();
      if (overlap(er, cr) || overlap(er, mr)) {
        problems.push(`equation number ${number} over its equation: ${name}`);
      }
      if (er.left < r.left - 1 || er.right > r.right + 1 || er.top < r.top - 1 ||
          er.bottom > r.bottom + 1 || er.right > left + column + 1) {
        problems.push(`equation number ${number} cut off: ${name}`);
      }
    }
    // Inline math: a formula its box cuts off (the theme's span.math clips).
    for (const sm of article.querySelectorAll('span.math')) {
      const im = sm.querySelector('mjx-math');
      const sr = sm.getBoundingClientRect();
      if (!im || sr.width === 0) continue;
      const ir = im.getBoundingClientRect();
      const scale = parseFloat(getComputedStyle(im).fontSize) /
        parseFloat(getComputedStyle(im.parentElement).fontSize);
      if (scale < minMathScale - 0.005) {
        problems.push(`inline math shrunk to ${scale.toFixed(2)} of its size (below ` +
          `${minMathScale}): ${label(sm)}`);
      }
      const glyph = glyphHeight(im);
      counts.inlineGlyph = Math.min(counts.inlineGlyph ?? Infinity, glyph);
      if (glyph < minInlineGlyph - 0.005) {
        problems.push(`inline math too small to read: glyphs ${glyph.toFixed(1)} px tall ` +
          `(below ${minInlineGlyph}): ${label(sm)}`);
      }
      if (ir.left < sr.left - 1 || ir.right > sr.right + 1) {
        problems.push(`inline math cut off (${Math.round(ir.width)} > ${Math.round(sr.width)} ` +
          `px): ${label(sm)}`);
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


def set_width(driver, width: int) -> None:
    """The laptop window as started, or a phone's screen emulated (its viewport meta obeyed)."""
    if width == WINDOW[0]:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    else:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": PHONE[1], "deviceScaleFactor": 1, "mobile": True},
        )


def check_page(driver, url: str, width: int) -> dict:
    set_width(driver, width)
    driver.get(url)
    narrow = width < WINDOW[0]
    result = driver.execute_async_script(
        INSPECT_JS,
        MIN_IMAGE_SCALE,
        MIN_MATH_SCALE,
        width,
        narrow,
        [MIN_DISPLAY_GLYPH_PX, MIN_INLINE_GLYPH_PX],
        MAX_CELL_LINES,
    )
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    result["problems"] = [f"console error: {m}" for m in errors] + result["problems"]
    return result


def print_problems(problems: list[str], most: int) -> None:
    """The first ``most`` problems of a page, one indented line each, and how many more."""
    for p in problems[:most]:
        print(f"       - {p}")
    if len(problems) > most:
        print(f"       - ... and {len(problems) - most} more")


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
    widths = (WINDOW[0], PHONE[0])
    failed = dict.fromkeys(widths, 0)
    smallest = {w: {"glyph": None, "inlineGlyph": None} for w in widths}
    found = pages(args.root)
    with tempfile.TemporaryDirectory(prefix="catuvac-chromium-") as profile:
        driver = make_driver(*browser, profile)
        try:
            for page in found:
                rel = page.relative_to(args.root).as_posix()
                for width in widths:
                    result = check_page(driver, f"{base}/{rel}", width)
                    c, problems = result["counts"], result["problems"]
                    status = "FAIL" if problems else "ok"
                    failed[width] += bool(problems)
                    scrolling = f", {c['scrolling']} scroll in place" if c["scrolling"] else ""
                    for key, least in smallest[width].items():
                        if c[key] is not None and (least is None or c[key] < least):
                            smallest[width][key] = c[key]
                    print(
                        f"{status:4} {width:4} px {rel}: {c['math']} math, {c['images']} images, "
                        f"{c['boxes']} code/output boxes, {c['tables']} tables{scrolling}, "
                        f"{c['audio']} audio, {len(problems)} problems "
                        f"(column {result['column']} px)",
                        flush=True,
                    )
                    print_problems(problems, args.max_problems)
        finally:
            driver.quit()
            server.shutdown()
    for w in widths:
        g = {k: "none" if v is None else f"{v:.1f} px" for k, v in smallest[w].items()}
        print(
            f"browser check: {w} px: {failed[w]} of {len(found)} pages failed; smallest glyphs: "
            f"display equations {g['glyph']}, inline math {g['inlineGlyph']}"
        )
    return 1 if any(failed.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
