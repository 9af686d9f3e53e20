/** Small DOM helpers: text only, never innerHTML with data (names come from the user's disk). */

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A custom element (the @vscode-elements controls). */
export function custom(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A titled section of the page. */
export function section(id: string, title: string): { root: HTMLElement; body: HTMLElement; heading: HTMLElement } {
  const root = el('section', { id, class: 'll-section', 'aria-labelledby': `${id}-h` });
  const heading = el('h2', { id: `${id}-h` }, title);
  const body = el('div', { class: 'll-section-body' });
  root.append(heading, body);
  return { root, body, heading };
}
