/**
 * Test helpers for the widget: a portal answer to render (unit tests stub fetch with it), ways to
 * mount elements and wait for them, and queries that reach into shadow roots.
 */
import { render, type LitElement, type TemplateResult } from 'lit';
import type { Approval, DocumentDetail, DocumentVersion, Invoice, PortalResponse } from '../../server/types.ts';
import '../porch.ts';

export const API = 'https://porch.test';

const cleanups: (() => void)[] = [];

// Each test starts on an empty page with the real fetch: what a test mounts or stubs is undone after it.
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function version(n: number, viewed: boolean, note: string | null): DocumentVersion {
  return {
    id: `ver-${n}`,
    version: n,
    filename: `homepage-v${n}.pdf`,
    content_type: 'application/pdf',
    size_bytes: 1000 * n,
    sha256: 'a'.repeat(64),
    note,
    created_by: 'Northwind Studio',
    created_at: `2025-0${n}-10T09:00:00.000Z`,
    viewed,
  };
}

export const homepageVersions = [version(3, false, 'Final copy'), version(2, true, 'Bigger hero'), version(1, true, null)];

export const homepageDetail: DocumentDetail = {
  id: 'doc-home',
  title: 'Homepage design',
  project_id: 'proj-web',
  updated_at: '2025-03-10T09:00:00.000Z',
  version_count: 3,
  latest: homepageVersions[0],
  versions: homepageVersions,
};

export const pendingApproval: Approval = {
  id: 'appr-1',
  title: 'Approve Homepage design v3',
  message: 'Please check the new hero.',
  status: 'pending',
  requested_by: 'Northwind Studio',
  due_on: '2025-03-20',
  created_at: '2025-03-10T09:00:00.000Z',
  document: { id: 'doc-home', title: 'Homepage design' },
  version: { id: 'ver-3', version: 3, filename: 'homepage-v3.pdf', note: 'Final copy', created_at: '2025-03-10T09:00:00.000Z' },
  decision: null,
};

function invoice(id: string, number: string, status: Invoice['status'], total: number, currency = 'USD'): Invoice {
  return {
    id,
    number,
    currency,
    issued_on: '2025-02-01',
    due_on: '2025-03-01',
    status,
    subtotal_minor: total,
    tax_minor: 0,
    total_minor: total,
    pay_url: status === 'paid' ? null : `https://pay.example/${number}`,
    paid_at: status === 'paid' ? '2025-02-15T10:00:00.000Z' : null,
    project_id: 'proj-web',
    lines: [],
  };
}

/** A client at phase 2 of 4 with documents, one approval waiting and paid / open / overdue invoices. */
export function portalFixture(): PortalResponse {
  const { versions: _versions, ...homepage } = homepageDetail;
  return {
    agency: { id: 'northwind', name: 'Northwind Studio', brand_color: '#2f6f5e', portal_url: null },
    client: { id: 'client-1', external_id: 'c-1', name: 'Maya Okafor', email: 'maya@example.com' },
    projects: [
      {
        id: 'proj-web',
        name: 'Website redesign',
        phases: ['Discovery', 'Design Review', 'Build', 'Launch'].map((name, i) => ({ position: i + 1, name })),
        current_phase: 2,
        updated_at: '2025-03-10T09:00:00.000Z',
      },
    ],
    next_actions: [
      { kind: 'invoice', invoice_id: 'inv-2', number: 'NW-002', status: 'overdue', total_minor: 250000, currency: 'USD', due_on: '2025-03-01' },
      { kind: 'approval', approval_id: 'appr-1', title: pendingApproval.title, due_on: '2025-03-20' },
    ],
    documents: [
      homepage,
      {
        id: 'doc-brief',
        title: 'Project brief',
        project_id: 'proj-web',
        updated_at: '2025-01-05T09:00:00.000Z',
        version_count: 1,
        latest: { ...version(1, true, null), id: 'ver-brief', filename: 'brief.txt', content_type: 'text/plain' },
      },
    ],
    approvals: [pendingApproval],
    invoices: [invoice('inv-3', 'NW-003', 'open', 125050), invoice('inv-2', 'NW-002', 'overdue', 250000), invoice('inv-1', 'NW-001', 'paid', 99900)],
  };
}

type Handler = (request: Request) => unknown | Response | Promise<unknown | Response>;

export interface FetchStub {
  /** Every request the stub answered, as `METHOD /path?query`. */
  calls: string[];
  restore(): void;
}

/**
 * Replaces fetch for unit tests, until the test ends: signs in with any token and answers `routes`
 * (keys like `GET /v1/portal`); a handler's plain value becomes JSON. Anything else answers 404.
 */
export function stubFetch(routes: Record<string, Handler>): FetchStub {
  const original = window.fetch;
  const calls: string[] = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    calls.push(`${key}${url.search}`);
    const handler =
      routes[key] ??
      (key === 'POST /v1/session' ? () => ({ session: 'ps_test_session_0001', expires_at: new Date(Date.now() + 3600_000).toISOString() }) : undefined);
    if (!handler) return Response.json({ error: { code: 'not_found', message: `${key} not found.` } }, { status: 404 });
    const answer = await handler(request);
    return answer instanceof Response ? answer : Response.json(answer);
  };
  const restore = () => {
    window.fetch = original;
  };
  cleanups.push(restore);
  return { calls, restore };
}

/** Every Lit element in `root`, light and shadow DOM, depth first. */
function porchElements(root: ParentNode): LitElement[] {
  const found: LitElement[] = [];
  for (const el of root.querySelectorAll('*')) {
    if (el.localName.startsWith('porch-')) found.push(el as LitElement);
    if (el.shadowRoot) found.push(...porchElements(el.shadowRoot));
  }
  return found;
}

/** Waits until the portal has loaded (or failed) and every element inside has rendered. */
export async function settle(root: Element): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const elements = [root as LitElement, ...porchElements(root.shadowRoot ?? root), ...porchElements(root)];
    const pending = await Promise.all(elements.map((el) => el.updateComplete ?? true));
    if (pending.every((done) => done === true)) return;
  }
}


/**
 * Mounts a portal (or anything holding one) and resolves once it loaded or failed, fully rendered.
 * (Not @open-wc's fixture: it waits for an animation frame, which a test tab in the background
 * never gets when test files run side by side.)
 */
export async function mount<T extends Element>(template: TemplateResult): Promise<T> {
  const loaded = new Promise((resolve) => {
    document.addEventListener('porch-ready', resolve, { once: true });
    document.addEventListener('porch-error', resolve, { once: true });
  });
  const container = document.createElement('div');
  cleanups.push(() => container.remove());
  document.body.append(container);
  render(template, container);
  const el = container.firstElementChild as T;
  await loaded;
  await settle(el);
  return el;
}

/** Waits for a condition, settling the elements between tries. */
export async function until(root: Element, condition: () => unknown, message = 'condition', timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await settle(root);
  }
}

/** The first element matching `selector` anywhere below `root`, through shadow roots. */
export function deepQuery<E extends Element = HTMLElement>(root: ParentNode, selector: string): E | null {
  return deepQueryAll<E>(root, selector)[0] ?? null;
}

export function deepQueryAll<E extends Element = HTMLElement>(root: ParentNode, selector: string): E[] {
  const found = [...root.querySelectorAll<E>(selector)];
  const own = (root as Element).shadowRoot;
  if (own) found.push(...deepQueryAll<E>(own, selector));
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...deepQueryAll<E>(el.shadowRoot, selector));
  return found;
}

/** The visible text below `root`, shadow roots included, with white space folded. */
export function deepText(root: Node): string {
  const parts: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
    const el = node as Element;
    if (el.localName === 'style') return;
    // Inline elements join their text to their neighbours' (as the eye reads it); blocks do not.
    const block = node.nodeType === Node.ELEMENT_NODE && getComputedStyle(el).display !== 'inline';
    if (block) parts.push(' ');
    if (el.shadowRoot) walk(el.shadowRoot);
    else if (el.localName === 'slot') (el as HTMLSlotElement).assignedNodes({ flatten: true }).forEach(walk);
    else node.childNodes.forEach(walk);
    if (block) parts.push(' ');
  };
  walk(root);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** A button (or link) below `root` whose text starts with `label`. */
export function buttonNamed(root: ParentNode, label: string): HTMLElement {
  const match = deepQueryAll(root, 'button, a').find((b) => (b.textContent ?? '').replace(/\s+/g, ' ').trim().startsWith(label));
  if (!match) throw new Error(`No button "${label}"`);
  return match;
}

export interface DownloadCapture {
  /** Files handed to the browser, in order. */
  files: { filename: string; blob: Blob }[];
  restore(): void;
}

/** Catches downloads (object URL + `<a download>` click) until the test ends, instead of letting the browser save them. */
export function captureDownloads(): DownloadCapture {
  const files: DownloadCapture['files'] = [];
  const blobs = new Map<string, Blob>();
  const { createObjectURL } = URL;
  const { click } = HTMLAnchorElement.prototype;
  URL.createObjectURL = (blob: Blob | MediaSource) => {
    const url = createObjectURL.call(URL, blob);
    blobs.set(url, blob as Blob);
    return url;
  };
  HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob && this.download) files.push({ filename: this.download, blob });
    else click.call(this);
  };
  const restore = () => {
    URL.createObjectURL = createObjectURL;
    HTMLAnchorElement.prototype.click = click;
  };
  cleanups.push(restore);
  return { files, restore };
}

/** What the live regions below `root` currently say. */
export function announced(root: ParentNode): string {
  return deepQueryAll(root, '[role=status], [role=alert]')
    .map((region) => region.textContent ?? '')
    .join(' ')
    .replace(/\s+/g, ' ');
}

/** Opens the page as a link from an email would (`#porch/approval/<id>`, …), until the test ends. */
export function followLink(fragment: string): void {
  location.hash = fragment;
  cleanups.push(() => history.replaceState(null, '', location.pathname + location.search));
}

/** The element that has focus, through shadow roots (document.activeElement stops at the first host). */
export function focused(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** Whether `el` is on screen for sighted users too: laid out, and not clipped away like a screen-reader-only text. */
export function isVisible(el: Element): boolean {
  const { width, height } = el.getBoundingClientRect();
  return width > 1 && height > 1 && getComputedStyle(el).clipPath === 'none';
}

/** A request that answers only when `release()` is called: what a slow network looks like. */
export function gate(): { wait: Promise<void>; release(): void } {
  let release!: () => void;
  const wait = new Promise<void>((resolve) => (release = resolve));
  return { wait, release };
}
