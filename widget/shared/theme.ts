import type { LitElement } from 'lit';

/** Black or white, whichever reads better on a colour given as sRGB channels 0–255 (WCAG contrast). */
export function inkOn([r, g, b]: Iterable<number>): '#fff' | '#000' {
  const [R, G, B] = [r, g, b].map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * R + 0.7152 * G + 0.0722 * B + 0.05) >= 4.5 ? '#fff' : '#000';
}

let painter: CanvasRenderingContext2D | null | undefined;

/**
 * The sRGB channels of any colour the browser understands (`#f2b84b`, `rebeccapurple`, `oklch(…)`,
 * `color-mix(…)`), by painting it on a one-pixel canvas: the browser does the conversion, in every
 * engine, so the accent a page sets can be any CSS colour. Null if it is not a colour.
 */
export function rgbOf(color: string): Uint8ClampedArray | null {
  if (!CSS.supports('color', color)) return null;
  painter ??= document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!painter) return null;
  painter.clearRect(0, 0, 1, 1);
  painter.fillStyle = color;
  painter.fillRect(0, 0, 1, 1);
  return painter.getImageData(0, 0, 1, 1).data;
}

const ownSheets = new WeakMap<LitElement, CSSStyleSheet>();

/**
 * Sets a `:host` custom property computed at run time (the agency's brand colour, the ink on the
 * accent) in a stylesheet of the element's own, adopted after its static styles: the host's
 * `style` attribute belongs to the page. Does nothing where shadow roots cannot adopt sheets.
 */
export function setHostProperty(host: LitElement, name: string, value: string): void {
  const root = host.renderRoot as ShadowRoot;
  let sheet = ownSheets.get(host);
  if (!sheet) {
    if (!root.adoptedStyleSheets) return;
    sheet = new CSSStyleSheet();
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    ownSheets.set(host, sheet);
  }
  sheet.replaceSync(`:host{${name}:${value}}`);
}

/**
 * Picks the text colour on the element's accent (`--porch-on-accent` unless the page set it): the
 * accent may come from the page (`--porch-accent`, any CSS colour) or the agency's brand colour, so
 * it is read back as the browser computed it.
 */
export function inkAccent(host: LitElement, last: string | undefined): string {
  const accent = getComputedStyle(host).getPropertyValue('--_accent').trim();
  if (accent !== last) {
    const rgb = rgbOf(accent);
    if (rgb) setHostProperty(host, '--_auto-ink', inkOn(rgb));
  }
  return accent;
}
