/**
 * Invoices as PDF, drawn with pdf-lib (pure JavaScript, so it runs on Workers as on Node).
 * The standard Helvetica fonts need no embedding but only encode WinAnsi: every string goes
 * through `plain()`, which keeps what the font can draw and replaces the rest.
 */
import { PDFDocument, PDFString, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import type { InvoicePdfData } from './db/invoices.ts';
import { attachmentDisposition } from './http.ts';

const PAGE = { width: 595.28, height: 841.89 }; // A4, in points
const MARGIN = 48;
const FOOTER_SPACE = 56;
const BODY = 10;
const LEADING = 13;
const INK = rgb(0.13, 0.13, 0.13);
const MUTED = rgb(0.42, 0.42, 0.42);
const RULE = rgb(0.82, 0.82, 0.82);
const OVERDUE = rgb(0.7, 0.11, 0.11);

/** Right edges of the number columns and the width of the description column. */
const COLUMNS = { description: MARGIN, descriptionWidth: 268, quantity: 390, unitPrice: 475, amount: PAGE.width - MARGIN };
/** Where the dates and status block starts, right of the client's name and email. */
const DETAILS_X = 330;

/** Formats minor units of a currency, e.g. 123456 USD → "$1,234.56", 1234 JPY → "¥1,234". */
export function moneyFormatter(currency: string, canDraw: (text: string) => boolean = () => true) {
  const bySymbol = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = bySymbol.resolvedOptions().maximumFractionDigits ?? 2;
  // A symbol the font cannot draw (₹, ₽, …) is written as the ISO code instead.
  const byCode = new Intl.NumberFormat('en-US', { style: 'currency', currency, currencyDisplay: 'code' });
  return (minor: number) => {
    // A decimal string, which Intl formats exactly (a float of a large amount could be off by a cent).
    const padded = String(minor).padStart(digits + 1, '0');
    const major = (digits > 0 ? `${padded.slice(0, -digits)}.${padded.slice(-digits)}` : padded) as unknown as number;
    const text = bySymbol.format(major);
    return canDraw(text) ? text : byCode.format(major);
  };
}

const quantityFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });
const percentFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function hexColor(hex: string): RGB {
  const value = Number.parseInt(hex.slice(1), 16);
  return rgb(((value >> 16) & 255) / 255, ((value >> 8) & 255) / 255, (value & 255) / 255);
}

/** The brand colour for text, unless it is too pale to read on white. */
function readableBrand(hex: string): RGB {
  const color = hexColor(hex);
  const luminance = 0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue;
  return luminance > 0.75 ? INK : color;
}

/** What the font can encode: each other character becomes its unaccented form, or "?". */
function plainText(font: PDFFont) {
  const drawable = new Set(font.getCharacterSet());
  const canDraw = (ch: string) => drawable.has(ch.codePointAt(0)!);
  const plain = (text: string) =>
    Array.from(text.replace(/\s+/g, ' '), (ch) => {
      if (canDraw(ch)) return ch;
      const bare = ch.normalize('NFKD').replace(/\p{M}/gu, '');
      return bare && Array.from(bare).every(canDraw) ? bare : '?';
    }).join('');
  return { plain, canDraw: (text: string) => Array.from(text).every(canDraw) };
}

/**
 * Widths of runs of `chars` at `size`, each from two prefix sums: every character's width, and
 * the kerning of every pair, is measured once, so measuring is constant time per run.
 */
function runWidths(chars: string[], font: PDFFont, size: number): (start: number, end: number) => number {
  const measured = new Map<string, number>();
  const widthOf = (text: string) => {
    let width = measured.get(text);
    if (width === undefined) measured.set(text, (width = font.widthOfTextAtSize(text, size)));
    return width;
  };
  // kernBefore[i]: how kerning moves character i towards character i - 1.
  const kernBefore = chars.map((ch, i) => (i === 0 ? 0 : widthOf(chars[i - 1] + ch) - widthOf(chars[i - 1]) - widthOf(ch)));
  const prefix = [0];
  chars.forEach((ch, i) => prefix.push(prefix[i] + kernBefore[i] + widthOf(ch)));
  return (start, end) => prefix[end] - prefix[start] - kernBefore[start];
}

/**
 * Splits text into lines no wider than `width`, at spaces, breaking inside words that are longer
 * than a line. Linear in the text's length: each character is looked at about twice.
 */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const chars = Array.from(text);
  const widthOf = runWidths(chars, font, size);
  const lines: string[] = [];
  let start = 0;
  while (start < chars.length) {
    if (chars[start] === ' ') {
      start++;
      continue;
    }
    // Grow the line one character at a time until it overflows, remembering the last space.
    let end = start + 1;
    let lastSpace = -1;
    while (end <= chars.length && widthOf(start, end) <= width) {
      if (chars[end - 1] === ' ') lastSpace = end - 1;
      end++;
    }
    if (end > chars.length) {
      lines.push(chars.slice(start).join('').trimEnd());
      break;
    }
    // chars[start, end - 1) fits. Break at the space that ends the last whole word, or, in a
    // word longer than a line, after as many characters as fit (always at least one).
    const breakAt = chars[end - 1] === ' ' ? end - 1 : lastSpace > start ? lastSpace : Math.max(end - 1, start + 1);
    lines.push(chars.slice(start, breakAt).join('').trimEnd());
    start = breakAt;
  }
  return lines.length > 0 ? lines : [''];
}

/** Draws top to bottom, starting a new page (with the table header again) when one fills up. */
class InvoiceWriter {
  page!: PDFPage;
  y = 0;
  private repeatHeader: (() => void) | null = null;

  constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
    readonly plain: (text: string) => string,
  ) {
    this.newPage();
  }

  newPage() {
    this.page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - MARGIN;
    this.repeatHeader?.();
  }

  /** Makes room for `height` points, on a new page if this one has too little left. */
  ensure(height: number) {
    if (this.y - height < FOOTER_SPACE) this.newPage();
  }

  /** While set, every new page starts with this (the line table's header). */
  repeatOnNewPage(draw: (() => void) | null) {
    this.repeatHeader = draw;
  }

  text(text: string, x: number, options: { size?: number; font?: PDFFont; color?: RGB; alignRight?: boolean } = {}) {
    const size = options.size ?? BODY;
    const font = options.font ?? this.regular;
    const clean = this.plain(text);
    const left = options.alignRight ? x - font.widthOfTextAtSize(clean, size) : x;
    this.page.drawText(clean, { x: left, y: this.y, size, font, color: options.color ?? INK });
  }

  /** Wrapped text from the cursor down; returns how many lines it took. */
  paragraph(text: string, x: number, width: number, options: { size?: number; font?: PDFFont; color?: RGB } = {}) {
    const size = options.size ?? BODY;
    const lines = wrap(this.plain(text), options.font ?? this.regular, size, width);
    for (const line of lines) {
      this.ensure(size * 1.3);
      this.text(line, x, options);
      this.y -= size * 1.3;
    }
    return lines.length;
  }

  rule(color = RULE, thickness = 0.75) {
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE.width - MARGIN, y: this.y }, thickness, color });
  }

  /** A clickable link over the last drawn lines. */
  link(url: string, top: number, bottom: number) {
    const annotation = this.doc.context.register(
      this.doc.context.obj({
        Type: 'Annot',
        Subtype: 'Link',
        Rect: [MARGIN, bottom, PAGE.width - MARGIN, top],
        Border: [0, 0, 0],
        A: { Type: 'Action', S: 'URI', URI: PDFString.of(url) },
      }),
    );
    this.page.node.addAnnot(annotation);
  }
}

function statusLine(invoice: InvoicePdfData['invoice']): { text: string; color: RGB } {
  if (invoice.status === 'paid') return { text: `PAID ${invoice.paid_at!.slice(0, 10)}`, color: rgb(0.1, 0.45, 0.25) };
  if (invoice.status === 'overdue') return { text: 'OVERDUE', color: OVERDUE };
  return { text: 'OPEN', color: INK };
}

/** The invoice as a PDF: header, who it is for, dates and status, lines, totals, pay link. */
export async function renderInvoicePdf({ invoice, agency, client }: InvoicePdfData): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const { plain, canDraw } = plainText(regular);
  const money = moneyFormatter(invoice.currency, canDraw);
  const brand = readableBrand(agency.brand_color);
  const w = new InvoiceWriter(doc, regular, bold, plain);

  doc.setTitle(plain(`Invoice ${invoice.number}`));
  doc.setAuthor(plain(agency.name));
  doc.setCreator('Porch');
  doc.setProducer('Porch');

  // Header: a band of the agency's colour, its name, and the invoice number.
  w.page.drawRectangle({ x: 0, y: PAGE.height - 10, width: PAGE.width, height: 10, color: hexColor(agency.brand_color) });
  w.y -= 14;
  w.text('INVOICE', PAGE.width - MARGIN, { size: 20, font: bold, color: brand, alignRight: true });
  w.paragraph(agency.name, MARGIN, 300, { size: 18, font: bold, color: brand });
  w.text(`No. ${invoice.number}`, PAGE.width - MARGIN, { size: 11, alignRight: true });
  w.y -= 28;

  // Who it is for, beside the dates and the status.
  const blockTop = w.y;
  w.text('BILL TO', MARGIN, { size: 8, font: bold, color: MUTED });
  w.y -= LEADING;
  for (const line of [client.name, client.email].filter((value): value is string => !!value)) {
    w.paragraph(line, MARGIN, 260);
  }
  const leftBottom = w.y;
  w.y = blockTop;
  const status = statusLine(invoice);
  for (const [label, value, color] of [
    ['Issued', invoice.issued_on, INK],
    ['Due', invoice.due_on, INK],
    ['Status', status.text, status.color],
  ] as const) {
    w.text(label, DETAILS_X, { color: MUTED });
    w.text(value, COLUMNS.amount, { font: bold, color, alignRight: true });
    w.y -= LEADING + 2;
  }
  w.y = Math.min(leftBottom, w.y) - 20;

  // The lines, with the table header repeated on every page they flow onto.
  const tableHeader = () => {
    w.text('Description', COLUMNS.description, { size: 9, font: bold, color: MUTED });
    w.text('Qty', COLUMNS.quantity, { size: 9, font: bold, color: MUTED, alignRight: true });
    w.text('Unit price', COLUMNS.unitPrice, { size: 9, font: bold, color: MUTED, alignRight: true });
    w.text('Amount', COLUMNS.amount, { size: 9, font: bold, color: MUTED, alignRight: true });
    w.y -= 6;
    w.rule();
    w.y -= LEADING;
  };
  tableHeader();
  w.repeatOnNewPage(tableHeader);
  for (const line of invoice.lines) {
    const description = wrap(plain(line.description), regular, BODY, COLUMNS.descriptionWidth);
    w.ensure(description.length * LEADING + 6);
    w.text(quantityFormat.format(line.quantity), COLUMNS.quantity, { alignRight: true });
    w.text(money(line.unit_price_minor), COLUMNS.unitPrice, { alignRight: true });
    w.text(money(line.amount_minor), COLUMNS.amount, { alignRight: true });
    for (const text of description) {
      w.text(text, COLUMNS.description);
      w.y -= LEADING;
    }
    w.y += LEADING - 6;
    w.rule(rgb(0.92, 0.92, 0.92), 0.5);
    w.y -= LEADING + 2;
  }
  w.repeatOnNewPage(null);

  // Totals, kept together on one page.
  w.ensure(4 * (LEADING + 4) + 10);
  w.y -= 4;
  const totals: [string, string, PDFFont][] = [
    ['Subtotal', money(invoice.subtotal_minor), regular],
    [`Tax (${percentFormat.format(invoice.tax_rate_bp / 100)}%)`, money(invoice.tax_minor), regular],
    [`Total (${invoice.currency})`, money(invoice.total_minor), bold],
  ];
  for (const [label, value, font] of totals) {
    if (font === bold) {
      w.page.drawLine({
        start: { x: COLUMNS.quantity - 40, y: w.y + LEADING - 2 },
        end: { x: COLUMNS.amount, y: w.y + LEADING - 2 },
        thickness: 0.75,
        color: INK,
      });
    }
    w.text(label, COLUMNS.unitPrice, { font, color: font === bold ? INK : MUTED, alignRight: true });
    w.text(value, COLUMNS.amount, { font, alignRight: true, size: font === bold ? 12 : BODY });
    w.y -= LEADING + 4;
  }

  if (invoice.pay_url && invoice.status !== 'paid') {
    w.y -= 16;
    w.ensure(3 * LEADING);
    w.text('Pay online', MARGIN, { font: bold, color: brand });
    w.y -= LEADING;
    const top = w.y + BODY;
    const href = new URL(invoice.pay_url).href;
    w.paragraph(href, MARGIN, PAGE.width - 2 * MARGIN, { color: brand });
    w.link(href, top, w.y + BODY);
  }

  // Footer on every page, now that the page count is known.
  const pages = doc.getPages();
  pages.forEach((page, index) => {
    const footer = plain(`${agency.name} \u00b7 Invoice ${invoice.number} \u00b7 Page ${index + 1} of ${pages.length}`);
    const shown = wrap(footer, regular, 8, PAGE.width - 2 * MARGIN)[0];
    page.drawText(shown, { x: MARGIN, y: MARGIN - 16, size: 8, font: regular, color: MUTED });
  });

  return doc.save();
}

/** The PDF's filename: the invoice number, with path separators replaced. */
function invoiceFilename(number: string): string {
  return `invoice-${number.replace(/[/\\]/g, '-')}.pdf`;
}

/** The PDF as a download. */
export async function invoicePdfResponse(data: InvoicePdfData): Promise<Response> {
  const bytes = await renderInvoicePdf(data);
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': attachmentDisposition(invoiceFilename(data.invoice.number)),
      'content-length': String(bytes.byteLength),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
