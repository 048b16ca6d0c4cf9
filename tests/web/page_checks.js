// The layout checks of tests/web/journeys.py (its docstring says what they are), run in the page:
// [minimum target size in CSS px, selector of the controls, whether the page is at phone width].
([minimum, controls, phone]) => {
  const shown = el => {
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const describe = el => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    return `${el.tagName.toLowerCase()}${id}${cls} "${text.slice(0, 30)}"`;
  };
  // Inline-block boxes (buttons, badges) are blocks of their own: their text is not part of the line's sentence.
  const isBlock = el => !['inline', 'contents'].includes(getComputedStyle(el).display);
  const blockOf = node => {
    let p = node.parentElement;
    while (p && !isBlock(p)) p = p.parentElement;
    return p || document.body;
  };
  // The text that flows in a block's own lines: text nodes whose nearest block ancestor is the block.
  const ownLines = block => {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    let text = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (blockOf(node) === block) text += node.textContent;
    }
    return text;
  };
  const meaningful = s => s.replace(/[\s\p{P}\p{S}]/gu, '');
  const inSentence = el => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const own = meaningful(el.innerText || '');
    return meaningful(ownLines(blockOf(el))).length > own.length;
  };
  const problems = {wide: null, small: [], cut: []};
  if (phone && document.documentElement.scrollWidth > window.innerWidth) {
    // The outermost elements that reach beyond the window and are not inside a region that scrolls or clips.
    // An absolutely positioned box escapes the overflow of the ancestors below its containing block.
    const contained = el => {
      let escaping = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (escaping && style.position !== 'static') escaping = false;  // the containing block: its overflow clips
        if (!escaping && style.overflowX !== 'visible') return true;
      }
      return false;
    };
    const beyond = el => el.getBoundingClientRect().right > window.innerWidth + 1 && !contained(el);
    const wide = [...document.body.querySelectorAll('*')].filter(el => beyond(el)
      && !(el.parentElement && beyond(el.parentElement))).slice(0, 5).map(describe);
    problems.wide = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide};
  }
  if (phone) {
    for (const el of document.querySelectorAll(controls)) {
      if (!shown(el) || inSentence(el)) continue;
      let {left, top, right, bottom} = el.getBoundingClientRect();
      if (el.type === 'checkbox' || el.type === 'radio') {
        for (const label of el.labels || []) {
          const box = label.getBoundingClientRect();
          left = Math.min(left, box.left); top = Math.min(top, box.top);
          right = Math.max(right, box.right); bottom = Math.max(bottom, box.bottom);
        }
      }
      const width = right - left, height = bottom - top;
      if (width < minimum - 0.5 || height < minimum - 0.5)
        problems.small.push(`${describe(el)} ${Math.round(width)}×${Math.round(height)}`);
    }
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (['SELECT', 'TEXTAREA', 'INPUT', 'svg', 'IMG', 'CANVAS'].includes(el.tagName) || !shown(el)) continue;
    const style = getComputedStyle(el);
    const clipsX = ['hidden', 'clip'].includes(style.overflowX), clipsY = ['hidden', 'clip'].includes(style.overflowY);
    if (!clipsX && !clipsY) continue;
    if (el.clientWidth <= 1 || el.clientHeight <= 1) continue;  // visually hidden, for screen readers
    if (!meaningful(el.innerText || '')) continue;
    const over = (clipsX && el.scrollWidth > el.clientWidth + 1) || (clipsY && el.scrollHeight > el.clientHeight + 1);
    if (!over) continue;
    if (style.textOverflow === 'ellipsis' && el.title && el.title.trim()) continue;
    problems.cut.push(`${describe(el)} ${el.scrollWidth}×${el.scrollHeight} in ${el.clientWidth}×${el.clientHeight}`);
  }
  return problems;
}
