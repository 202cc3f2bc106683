/**
 * Registers an element unless the tag is taken: a page may load porch.js twice (a CMS plugin and a
 * pasted tag), and the second definition must not throw.
 */
export function define(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
