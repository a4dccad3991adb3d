"""Checks run on a page open in Playwright: horizontal overflow and axe-core.

axe-core is vendored next to this file (``tests/support/axe/axe.min.js``, version in
``AXE_VERSION``, licence MPL-2.0 in ``tests/support/axe/LICENSE``), taken from the npm registry
with ``npm pack axe-core@4.14.1``; it is injected into the page, so the browser context needs
``bypass_csp=True`` (our policy refuses inline scripts, as it should).

    problems = overflow(page)          # [] or one line naming the element that sticks out
    found = axe_violations(page)       # the critical and serious violations, one line each
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).parent / "axe" / "axe.min.js"

#: the outermost elements sticking out of the viewport outside any scrolling container: the ones
#: that make the page wider than the screen
_OVERFLOW = """
() => {
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth <= width) return null;
  // inside a scrolling or clipping box (an absolutely positioned element escapes the boxes
  // below its containing block, its nearest positioned ancestor: the usual culprit)
  const clipped = (el) => {
    let escaping = getComputedStyle(el).position === 'absolute';
    for (let a = el.parentElement; a && a !== doc && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      const positioned = style.position !== 'static';
      if (!escaping || positioned) {
        const o = style.overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
      }
      if (positioned) escaping = style.position === 'absolute';
    }
    return false;
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + Array.from(el.classList).join('.');
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 50);
    return s + (text ? ' "' + text + '"' : '');
  };
  const out = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    if (el.getBoundingClientRect().right > width + 0.5 && !clipped(el)) out.add(el);
  }
  const culprits = [];
  for (const el of out) {
    if (out.has(el.parentElement)) continue;
    const right = Math.round(el.getBoundingClientRect().right);
    culprits.push(name(el) + ' (right edge ' + right + ' px)');
    if (culprits.length >= 3) break;
  }
  return {scrollWidth: doc.scrollWidth, width: width, culprits: culprits};
}
"""


def overflow(page: Any) -> list[str]:
    """One line if the page is wider than the viewport, naming what sticks out."""
    found = page.evaluate(_OVERFLOW)
    if not found:
        return []
    culprits = "; ".join(found["culprits"]) or "(no single element found)"
    return [f"{found['scrollWidth']} px wide for {found['width']} px: {culprits}"]


def axe_violations(page: Any, impacts: tuple[str, ...] = ("critical", "serious")) -> list[str]:
    """axe-core's violations of the given impacts on the page, one line per rule."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    lines = []
    for rule in results:
        if rule["impact"] not in impacts:
            continue
        targets = ", ".join(" ".join(map(str, n["target"])) for n in rule["nodes"][:3])
        more = f" (+{len(rule['nodes']) - 3})" if len(rule["nodes"]) > 3 else ""
        lines.append(f"{rule['impact']} {rule['id']}: {rule['help']} at {targets}{more}")
    return lines
