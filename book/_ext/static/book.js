/* Equations fit the text column, but stay large enough to read. MathJax 3 does not break
   lines, so an equation wider than its box is scaled down until it fits: a display equation
   wider than the column, and an inline formula wider than a whole line (the theme's span.math
   cuts it off). It is scaled no further than 60% of its size, nor until its capitals and
   digits (at its own size, not its scripts) are under 10 px tall (an inline formula: 9 px),
   the floors tests/browser_check.py holds every formula to; an equation still too wide then
   scrolls inside its own box, and the check fails it, so that it is split over lines in the
   chapter instead. On a phone the column is about 400 px; at a 1280 px window every equation
   fits unscaled. An equation is fitted again whenever its box changes width (a turned phone,
   an opened dropdown). */
(() => {
  const MIN_SCALE = 0.6;
  const MIN_GLYPH_PX = { display: 10, inline: 9 };

  // How tall MathJax draws a capital or a digit at the formula's own size: the smallest box of
  // such a glyph (an mjx-c, sized by the font's metrics), or 0.683 em (a capital X) in a
  // formula without one. tests/browser_check.py measures the same way.
  function glyphHeight(math) {
    const size = parseFloat(getComputedStyle(math).fontSize);
    let least = Infinity;
    for (const g of math.querySelectorAll("mjx-c")) {
      const code = Array.from(g.classList).find((k) => /^mjx-c[0-9A-F]+$/.test(k));
      if (!code) continue;
      const ch = String.fromCodePoint(parseInt(code.slice(5), 16)).normalize("NFKC");
      if (!/^[A-Z0-9]$/.test(ch)) continue;
      if (Math.abs(parseFloat(getComputedStyle(g).fontSize) - size) > 0.01) continue;
      const h = g.getBoundingClientRect().height;
      if (h > 0) least = Math.min(least, h);
    }
    return Number.isFinite(least) ? least : 0.683 * size;
  }

  function fit(unit) {
    const container = unit.matches("mjx-container")
      ? unit
      : unit.querySelector("mjx-container");
    const math = container && container.querySelector(":scope > mjx-math");
    if (!math) return;
    math.style.fontSize = "";
    const inline = unit.matches("span.math");
    const room = inline ? unit.clientWidth : container.clientWidth;
    const need = math.getBoundingClientRect().width;
    // A pixel of slack: clientWidth is rounded, the formula's width is not.
    if (room === 0 || need <= room + 1) return;
    // The floor rounded up, the fit rounded down, to a thousandth.
    const least = MIN_GLYPH_PX[inline ? "inline" : "display"] / glyphHeight(math);
    const floor = Math.max(MIN_SCALE, Math.ceil(least * 1000) / 1000);
    const scale = Math.max(floor, Math.floor(((room - 1) / need) * 1000) / 1000);
    if (scale >= 1) return;
    math.style.fontSize = `${(scale * 100).toFixed(1)}%`;
  }

  function fitAll() {
    const units = Array.from(document.querySelectorAll("div.math, span.math"));
    for (const c of document.querySelectorAll('mjx-container[display="true"]')) {
      if (!c.closest("div.math")) units.push(c);
    }
    const widths = new WeakMap();
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const width = Math.round(entry.contentRect.width);
        if (widths.get(entry.target) === width) continue; // the change fitting made
        fit(entry.target);
        widths.set(entry.target, Math.round(entry.target.getBoundingClientRect().width));
      }
    });
    for (const unit of units) {
      fit(unit);
      widths.set(unit, Math.round(unit.getBoundingClientRect().width));
      observer.observe(unit);
    }
  }

  /* Tables on a phone. A table wider than its box scrolls sideways inside it (the theme's
     wrapper, an output area), but the browser first squeezes each of its columns to the column's
     longest word, so a column of sentences wraps a word or two a line and its rows grow some
     300 px tall. Below 600 px, each cell of such a table is given a floor on its width: its text
     on one line, up to 18 em (some 35 characters a line); the table scrolls a little further.
     Tables that fit their box are left as the browser lays them out. */
  const PHONE = window.matchMedia("(max-width: 599.98px)");
  const CELL_EM = 18;

  function widenTables() {
    const tables = Array.from(document.querySelectorAll("article table"));
    const cellsOf = tables.map((t) => Array.from(t.querySelectorAll("td, th")));
    for (const cells of cellsOf) for (const c of cells) c.style.minWidth = "";
    if (!PHONE.matches) return;
    const squeezed = tables.map(
      (t) => t.getBoundingClientRect().width > t.parentElement.clientWidth + 1,
    );
    // Every cell's text on one line, measured in one layout.
    tables.forEach((t, i) => squeezed[i] && (t.style.whiteSpace = "nowrap"));
    const range = document.createRange();
    const oneLine = cellsOf.map((cells, i) =>
      squeezed[i]
        ? cells.map((c) => {
            range.selectNodeContents(c);
            return range.getBoundingClientRect().width;
          })
        : null,
    );
    tables.forEach((t) => (t.style.whiteSpace = ""));
    cellsOf.forEach((cells, i) => {
      if (!squeezed[i]) return;
      cells.forEach((c, j) => {
        const cs = getComputedStyle(c);
        const most = CELL_EM * parseFloat(cs.fontSize);
        const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
        // A pixel of slack: the text measured to a fraction of a pixel, the width rounded.
        c.style.minWidth = `${Math.ceil(Math.min(oneLine[i][j], most) + pad) + 1}px`;
      });
    });
  }
  widenTables();
  PHONE.addEventListener("change", widenTables);

  // The page's MathJax configuration (window.MathJax) exists only on pages with math; MathJax
  // itself loads with `defer`, maybe after this script. Typeset formulas change the width of
  // the table cells that hold them.
  function whenTypeset(tries) {
    const mj = window.MathJax;
    if (!mj) return;
    if (mj.startup && mj.startup.promise) {
      mj.startup.promise.then(() => {
        widenTables();
        fitAll();
      });
    } else if (tries > 0) {
      setTimeout(() => whenTypeset(tries - 1), 20);
    }
  }
  whenTypeset(1500);
})();
