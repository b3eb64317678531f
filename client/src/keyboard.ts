/**
 * The on-screen keyboard never hides the field being typed in (issue 16, tablets): when the
 * visible part of the page shrinks while a field has focus (the keyboard opened), or a field gets
 * focus while the keyboard is up, the field is scrolled to the middle of what is still visible.
 * Browsers do some of this themselves, but not for a field inside a scrolled panel nor when the
 * keyboard overlays the page instead of resizing it (iPadOS); this does it in both.
 */
function isTextField(el: Element | null): el is HTMLElement {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  return el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(el.type);
}

function visibleBottom(): number {
  const vv = window.visualViewport;
  return vv ? vv.offsetTop + vv.height : window.innerHeight;
}

function keepInView(): void {
  const el = document.activeElement;
  if (!isTextField(el)) return;
  const box = el.getBoundingClientRect();
  const top = window.visualViewport?.offsetTop ?? 0;
  if (box.top >= top && box.bottom <= visibleBottom()) return;
  el.scrollIntoView({ block: 'center', inline: 'nearest' });
}

export function keepFocusedFieldVisible(): void {
  const later = () => requestAnimationFrame(keepInView);
  window.visualViewport?.addEventListener('resize', later);
  window.addEventListener('resize', later);
  document.addEventListener('focusin', later);
}
