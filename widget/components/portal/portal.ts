import { provide } from '@lit/context';
import { Task } from '@lit/task';
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { PortalResponse } from '../../../server/types.ts';
import { PorchApi } from '../../api/client.ts';
import { apiContext, portalContext, type PortalState } from '../../shared/context.ts';
import { parseDeepLink } from '../../shared/deep-link.ts';
import { emit } from '../../shared/events.ts';
import { isPending } from '../../shared/portal-data.ts';
import { asPorchError, renderProblem } from '../../shared/problem.ts';
import { baseStyles } from '../../shared/styles.ts';
import { setHostProperty } from '../../shared/theme.ts';
import { portalStyles } from './portal.styles.ts';

/** Where porch.js was loaded from: the Porch API that serves it, unless `api` says otherwise. */
const BUNDLE_ORIGIN = new URL(import.meta.url).origin;

/** The parts a page may lay out itself; any of them inside the portal means a custom layout. */
const PARTS = 'porch-status, porch-documents, porch-approvals, porch-approve-button, porch-invoices';

/** `due` and `paid` split the invoices (what to pay, what is paid); `invoices` lists them all. */
type Section = 'next' | 'approvals' | 'due' | 'status' | 'documents' | 'invoices' | 'paid';

/** Before the data: room for the next action, then the sections every client has, so little moves when it arrives. */
const LOADING_ORDER: Section[] = ['next', 'status', 'documents', 'invoices'];

const SECTIONS: Record<Section, unknown> = {
  next: html`<div class="wide next" role="img" aria-label="Loading"><span class="skeleton"></span><span class="skeleton"></span></div>`,
  approvals: html`<porch-approvals class="wide"></porch-approvals>`,
  due: html`<porch-invoices class="wide" due></porch-invoices>`,
  status: html`<porch-status class="wide"></porch-status>`,
  documents: html`<porch-documents></porch-documents>`,
  invoices: html`<porch-invoices></porch-invoices>`,
  paid: html`<porch-invoices paid></porch-invoices>`,
};

/**
 * The default layout: the next action first, then status, documents, invoices (approvals decided
 * lately, with nothing waiting, after the documents); a deep link's item first of all.
 */
export function sectionOrder(data: PortalResponse, focus: PortalState['focus']): Section[] {
  const next: Section[] = [];
  for (const action of data.next_actions) {
    const section = action.kind === 'approval' ? 'approvals' : 'due';
    if (!next.includes(section)) next.push(section);
  }
  if (data.approvals.some(isPending) && !next.includes('approvals')) next.push('approvals');
  const order: Section[] = [...next, 'status', 'documents'];
  if (data.approvals.length && !order.includes('approvals')) order.push('approvals');
  order.push(next.includes('due') ? 'paid' : 'invoices');
  if (!focus) return order;
  // An unpaid invoice is in "To pay", a paid one in the rest of the list.
  const linked: Section =
    focus.kind === 'approval'
      ? 'approvals'
      : focus.kind === 'document'
        ? 'documents'
        : order.includes('due') && data.invoices.some((i) => i.id === focus.id && i.status !== 'paid')
          ? 'due'
          : order.at(-1)!;
  return [linked, ...order.filter((s) => s !== linked)];
}

/**
 * @tagname porch-portal
 * @summary The client portal. Signs the client in (with `token`, or by asking the agency's
 * `token-url`, again whenever the session expires), loads the first screen once, and shares the
 * API client and the data with the parts inside it. Without parts inside, it lays out the next
 * action first (an approval waiting, an invoice due), then status, documents and invoices; put
 * parts inside it (among any markup of yours) for your own layout.
 *
 * @slot - Your own layout: any of `<porch-status>`, `<porch-documents>`, `<porch-approvals>`, `<porch-approve-button>`, `<porch-invoices>`, among your own markup. Without any of them (stray `<p>` or `<br>` a CMS adds do not count), the portal shows its default layout.
 *
 * @event porch-ready - The portal loaded. `detail: { portal }` (the `GET /v1/portal` answer).
 * @event porch-error - Signing in or loading failed (the portal shows a retry). `detail: { error }` with `error.code`, e.g. `network`, `session_expired`, `token_unavailable` (the `token-url` gave no token: `error.status` is its HTTP status, 401 when the visitor is not signed in to your site).
 *
 * @csspart base - The wrapper, in every state.
 * @csspart layout - The default layout's grid.
 * @csspart greeting - The "Hi Jane" line above the default layout.
 * @csspart error - The error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - Buttons, progress, marks, focus ring.
 * @cssproperty [--porch-on-accent=#fff or #000, whichever reads better on the accent] - Text on the accent colour.
 * @cssproperty [--porch-font=inherit] - The font family (the host page's by default).
 * @cssproperty [--porch-radius=0.5rem] - Corner radius of sections, buttons and fields.
 * @cssproperty [--porch-gap=1rem] - Space inside and between sections.
 * @cssproperty [--porch-surface=transparent] - Background of each section.
 * @cssproperty [--porch-border=currentColor at 22%] - Lines and borders.
 * @cssproperty [--porch-focus=the accent] - The keyboard focus ring (drawn with a ring of the page's canvas colour inside it).
 */
export class PorchPortal extends LitElement {
  static override styles = [baseStyles, portalStyles];

  /** The Porch API's origin; defaults to the origin porch.js was loaded from. */
  @property() accessor api = BUNDLE_ORIGIN;

  /** An embed token the agency's backend minted (used once; prefer `token-url`). */
  @property() accessor token: string | null = null;

  /** The agency's endpoint answering `{"token": "…"}`, called with the page's cookies whenever a session is needed. */
  @property({ attribute: 'token-url' }) accessor tokenUrl: string | null = null;

  /** The locale for dates and money (BCP 47, e.g. `en-GB`); the browser's by default. */
  @property() accessor locale: string | undefined;

  /** Whether the page put its own layout inside. */
  @state() private accessor customLayout = false;

  @provide({ context: apiContext })
  @state()
  private accessor client: PorchApi | undefined;

  @provide({ context: portalContext })
  @state()
  private accessor portal: PortalState = {
    status: 'pending',
    focus: parseDeepLink(location.hash),
    reload: () => this.load(),
    patch: (change) => this.portal.data && this.#set({ data: change(this.portal.data) }),
  };

  /**
   * The sections of the default layout, in order: fixed when the data arrives (or a deep link
   * does), not when the client acts, so nothing jumps from under their finger.
   */
  #order = LOADING_ORDER;

  /** The client retried: focus goes to the first section's heading once the portal is back. */
  #refocus = false;

  /** The first screen: loaded again when the session's source (api, token, token-url) changes, or on retry. */
  #loading = new Task(this, {
    args: () => [this.client] as const,
    task: ([client]) => client!.portal(),
    onComplete: (data) => {
      this.#order = sectionOrder(data, this.portal.focus);
      if (/^#[0-9a-f]{6}$/i.test(data.agency.brand_color)) setHostProperty(this, '--porch-brand', data.agency.brand_color);
      this.#set({ status: 'ready', data, error: undefined });
      emit(this, 'porch-ready', { portal: data });
    },
    onError: (caught) => {
      const error = asPorchError(caught);
      this.#set({ status: 'error', error });
      emit(this, 'porch-error', { error });
    },
  });

  #onHashChange = () => {
    const focus = parseDeepLink(location.hash);
    if (!focus) return;
    if (this.portal.data) this.#order = sectionOrder(this.portal.data, focus);
    this.#set({ focus });
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.#detectLayout();
    addEventListener('hashchange', this.#onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#onHashChange);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('token') || changed.has('tokenUrl')) {
      this.client = new PorchApi({ api: this.api, token: this.token, tokenUrl: this.tokenUrl });
    }
    if (changed.has('locale')) this.#set({ locale: this.locale });
  }

  /** Signs in if needed and loads the portal again. */
  load(): Promise<void> {
    this.#set({ status: 'pending', error: undefined });
    return this.#loading.run();
  }

  /** A new state object, so every consumer sees the change. */
  #set(change: Partial<PortalState>) {
    this.portal = { ...this.portal, ...change };
  }

  /** A custom layout needs one of the parts: a CMS wraps even an empty embed in `<p>` or `<br>`. */
  #detectLayout() {
    this.customLayout = !!this.querySelector(PARTS);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.#refocus && this.portal.status === 'ready') {
      this.#refocus = false;
      const first = this.renderRoot.querySelector<LitElement>('.layout > *');
      first?.updateComplete.then(() => first.focus());
    }
  }

  override render() {
    const { status, data, error } = this.portal;
    const name = data?.client.name?.split(' ')[0];
    return html`<div part="base">
      ${this.customLayout
        ? ''
        : status === 'error'
          ? renderProblem(error, () => {
              this.#refocus = true;
              this.load();
            })
          : html`${name || !data
                ? html`<p part="greeting" class="greeting">${name ? `Hi ${name}, here is where things stand.` : html`<span class="skeleton"></span>`}</p>`
                : ''}
              <div part="layout" class="layout">
                ${repeat(
                  data ? this.#order : LOADING_ORDER,
                  (section) => section,
                  (section) => SECTIONS[section],
                )}
              </div>`}
      <slot @slotchange=${() => this.#detectLayout()}></slot>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-portal': PorchPortal;
  }
}
