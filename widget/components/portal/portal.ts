import { provide } from '@lit/context';
import { html, LitElement, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { PortalResponse } from '../../../server/types.ts';
import { PorchApi } from '../../api/client.ts';
import { apiContext, portalContext, type PortalState } from '../../shared/context.ts';
import { parseDeepLink } from '../../shared/deep-link.ts';
import { asPorchError, renderProblem } from '../../shared/element.ts';
import { emit } from '../../shared/events.ts';
import { baseStyles } from '../../shared/styles.ts';
import { portalStyles } from './portal.styles.ts';

/** Where porch.js was loaded from: the Porch API that serves it, unless `api` says otherwise. */
const BUNDLE_ORIGIN = new URL(import.meta.url).origin;

/** Black or white, whichever reads better on the agency's brand colour (WCAG contrast). */
export function inkOn(hex: string): '#fff' | '#000' {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) >= 4.5 ? '#fff' : '#000';
}

type Section = 'approvals' | 'due' | 'status' | 'documents' | 'invoices';

const LINKED_SECTION: Record<NonNullable<PortalState['focus']>['kind'], Section> = {
  approval: 'approvals',
  document: 'documents',
  invoice: 'invoices',
};

/** The default layout: the next action first, then status, documents, invoices; a deep link's item first of all. */
export function sectionOrder(data: PortalResponse, focus: PortalState['focus']): Section[] {
  const next: Section[] = [];
  for (const action of data.next_actions) {
    const section = action.kind === 'approval' ? 'approvals' : 'due';
    if (!next.includes(section)) next.push(section);
  }
  if (data.approvals.length && !next.includes('approvals')) next.push('approvals');
  const order: Section[] = [...next, 'status', 'documents', 'invoices'];
  const linked = focus ? LINKED_SECTION[focus.kind] : undefined;
  return linked ? [linked, ...order.filter((s) => s !== linked)] : order;
}

const SECTIONS: Record<Section, unknown> = {
  approvals: html`<porch-approvals class="wide"></porch-approvals>`,
  due: html`<porch-invoices class="wide" due></porch-invoices>`,
  status: html`<porch-status class="wide"></porch-status>`,
  documents: html`<porch-documents></porch-documents>`,
  invoices: html`<porch-invoices></porch-invoices>`,
};

/**
 * @tagname porch-portal
 * @summary The client portal. Signs the client in (with `token`, or by asking the agency's
 * `token-url`, again whenever the session expires), loads the first screen once, and shares the
 * API client and the data with the parts inside it. Empty, it lays out the next action first (an
 * approval waiting, an invoice due), then status, documents and invoices; put parts inside it for
 * your own layout.
 *
 * @slot - Your own layout: any of `<porch-status>`, `<porch-documents>`, `<porch-approvals>`, `<porch-approve-button>`, `<porch-invoices>`, among your own markup. Leave it empty for the default layout.
 *
 * @event porch-ready - The portal loaded. `detail: { portal }` (the `GET /v1/portal` answer).
 * @event porch-error - Signing in or loading failed (the portal shows a retry). `detail: { error }` with `error.code`, e.g. `network`, `session_expired`, `token_unavailable`.
 *
 * @csspart base - The default layout's grid.
 * @csspart greeting - The "Hi Jane" line above the default layout.
 * @csspart error - The error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - Buttons, progress, marks, focus ring.
 * @cssproperty [--porch-on-accent=#fff or #000, whichever reads better] - Text on the accent colour.
 * @cssproperty [--porch-font=inherit] - The font family (the host page's by default).
 * @cssproperty [--porch-radius=0.5rem] - Corner radius of sections, buttons and fields.
 * @cssproperty [--porch-gap=1rem] - Space inside and between sections.
 * @cssproperty [--porch-surface=transparent] - Background of each section.
 * @cssproperty [--porch-border=currentColor at 22%] - Lines and borders.
 * @cssproperty [--porch-focus=the accent] - The keyboard focus ring.
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

  #onHashChange = () => {
    const focus = parseDeepLink(location.hash);
    if (focus) this.#set({ focus });
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.customLayout = this.children.length > 0;
    addEventListener('hashchange', this.#onHashChange);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#onHashChange);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('token') || changed.has('tokenUrl')) {
      this.client = new PorchApi({ api: this.api, token: this.token, tokenUrl: this.tokenUrl });
      this.load();
    }
    if (changed.has('locale')) this.#set({ locale: this.locale });
  }

  /** Signs in if needed and loads the portal again. */
  async load(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.#set({ status: 'pending', error: undefined });
    try {
      const data = await client.portal();
      if (client !== this.client) return; // superseded by a newer token or API
      this.brand(data.agency.brand_color);
      this.#set({ status: 'ready', data });
      emit(this, 'porch-ready', { portal: data });
    } catch (caught) {
      if (client !== this.client) return;
      const error = asPorchError(caught);
      this.#set({ status: 'error', error });
      emit(this, 'porch-error', { error });
    }
  }

  /** A new state object, so every consumer sees the change. */
  #set(change: Partial<PortalState>) {
    this.portal = { ...this.portal, ...change };
  }

  private brand(color: string) {
    if (!/^#[0-9a-f]{6}$/i.test(color)) return;
    this.style.setProperty('--porch-brand', color);
    this.style.setProperty('--porch-brand-ink', inkOn(color));
  }

  override render() {
    const { status, data, error, focus } = this.portal;
    return html`${this.customLayout
        ? ''
        : status === 'error'
          ? renderProblem(error, this.portal.reload)
          : html`${data?.client.name ? html`<p part="greeting" class="greeting">Hi ${data.client.name.split(' ')[0]}, here is where things stand.</p>` : ''}
              <div part="base" class="layout">
                ${(data ? sectionOrder(data, focus) : (['status', 'documents', 'invoices'] as Section[])).map((s) => SECTIONS[s])}
              </div>`}
      <slot @slotchange=${(e: Event) => (this.customLayout = (e.target as HTMLSlotElement).assignedElements().length > 0)}></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-portal': PorchPortal;
  }
}
