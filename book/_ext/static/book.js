/* Equations fit the text column. MathJax 3 does not break lines, so an equation wider than its
   box is scaled down until it fits, to no less than 60% of its size (the floor that
   tests/browser_check.py holds every equation to): a display equation wider than the column,
   and an inline formula wider than a whole line (the theme's span.math cuts it off). On a
   phone the column is about 400 px and the book's widest equations about 650 px; at a 1280 px
   window they all fit unscaled. An equation is fitted again whenever its box changes width
   (a turned phone, an opened dropdown). A display equation still too wide at the floor
   scrolls inside its own box. */
(() => {
  const MIN_SCALE = 0.6;

  function fit(unit) {
    const container = unit.matches("mjx-container")
      ? unit
      : unit.querySelector("mjx-container");
    const math = container && container.querySelector(":scope > mjx-math");
    if (!math) return;
    math.style.fontSize = "";
    const room = unit.matches("span.math") ? unit.clientWidth : container.clientWidth;
    const need = math.getBoundingClientRect().width;
    if (room === 0 || need <= room) return;
    const scale = Math.max(MIN_SCALE, Math.floor(((room - 1) / need) * 1000) / 1000);
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

  // The page's MathJax configuration (window.MathJax) exists only on pages with math; MathJax
  // itself loads with `defer`, maybe after this script.
  function whenTypeset(tries) {
    const mj = window.MathJax;
    if (!mj) return;
    if (mj.startup && mj.startup.promise) {
      mj.startup.promise.then(fitAll);
    } else if (tries > 0) {
      setTimeout(() => whenTypeset(tries - 1), 20);
    }
  }
  whenTypeset(1500);
})();
