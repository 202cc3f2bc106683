import { consume } from '@lit/context';
import { html, LitElement, type CSSResultGroup, type PropertyValues } from 'lit';
import { state } from 'lit/decorators.js';
import type { PortalResponse } from '../../server/types.ts';
import { PorchError, type PorchApi } from '../api/client.ts';
import { apiContext, portalContext, type PortalState } from './context.ts';
import type { DeepLink } from './deep-link.ts';
import { saveFile } from './download.ts';
import { emit, type PorchDownloadDetail } from './events.ts';
import { withViewed } from './portal-data.ts';
import { baseStyles } from './styles.ts';

const FRIENDLY: Record<string, string> = {
  network: 'We couldn’t reach the portal. Check your connection, then try again.',
  session_expired: 'Your session ended. Try again to sign back in.',
  invalid_token: 'Your sign-in expired. Try again, or reload the page.',
  token_unavailable: 'This page couldn’t sign you in to the portal. Try again in a moment.',
  client_revoked: 'Your access to this portal was turned off. Please contact the agency.',
  origin_not_allowed: 'This page isn’t set up to show the portal yet. Please tell the agency.',
  not_found: 'This item is no longer available.',
  already_decided: 'This was already decided.',
};

/** What to tell the client about a failed request: what happened and what to do. */
export function friendlyMessage(error: PorchError | undefined): string {
  return FRIENDLY[error?.code ?? ''] ?? 'Something went wrong on our side. Please try again.';
}

export function asPorchError(error: unknown): PorchError {
  return error instanceof PorchError ? error : new PorchError('unknown', String(error));
}

/** A friendly error with a way out. */
export function renderProblem(error: PorchError | undefined, retry: () => void) {
  return html`<div class="problem" role="alert" part="error">
    <p>${friendlyMessage(error)}</p>
    <button @click=${retry}>Try again</button>
  </div>`;
}

/**
 * Every Porch element: receives the API client and the portal's state from the enclosing
 * `<porch-portal>` (through @lit/context), runs requests the client asks for, announces outcomes.
 */
export class PorchElement extends LitElement {
  static override styles: CSSResultGroup = baseStyles;

  @consume({ context: portalContext, subscribe: true })
  @state()
  protected accessor portal: PortalState | undefined;

  @consume({ context: apiContext, subscribe: true })
  @state()
  protected accessor api: PorchApi | undefined;

  /** The last outcome, read out by screen readers from a live region. */
  @state() protected accessor announcement = '';

  /** Which user-started request is running (one at a time), e.g. `document:<id>:2`. */
  @state() protected accessor busy: string | null = null;

  protected get locale(): string | undefined {
    return this.portal?.locale;
  }

  protected renderAnnouncement() {
    return html`<p class="sr" role="status">${this.announcement}</p>`;
  }

  /** Runs a request the client asked for; on failure announces it and fires `porch-error`. */
  protected async attempt<T>(
    key: string,
    action: (api: PorchApi) => Promise<T>,
    onError?: (error: PorchError) => void,
  ): Promise<T | undefined> {
    const api = this.api;
    if (!api || this.busy) return undefined;
    this.busy = key;
    this.announcement = '';
    try {
      return await action(api);
    } catch (caught) {
      const error = asPorchError(caught);
      this.announcement = friendlyMessage(error);
      onError?.(error);
      emit(this, 'porch-error', { error });
      return undefined;
    } finally {
      this.busy = null;
    }
  }

  /** Fetches a file behind the session, hands it to the browser, and tells the page. */
  protected async download(file: PorchDownloadDetail, fetchFile: (api: PorchApi) => Promise<Blob>): Promise<void> {
    const blob = await this.attempt(downloadKey(file), fetchFile);
    if (!blob) return;
    saveFile(blob, file.filename);
    this.announcement = `Downloading ${file.filename}`;
    const { version } = file;
    if (file.kind === 'document' && version) this.portal?.patch((data) => withViewed(data, file.id, version));
    emit(this, 'porch-download', file);
  }

  /** `aria-busy` for the button that starts request `key`. */
  protected isBusy(key: string): 'true' | 'false' {
    return this.busy === key ? 'true' : 'false';
  }
}

export function downloadKey(file: Pick<PorchDownloadDetail, 'kind' | 'id' | 'version'>): string {
  return `${file.kind}:${file.id}:${file.version ?? ''}`;
}

/**
 * A section of the portal (status, documents, approvals, invoices): a titled card that shows
 * skeletons while the portal loads, a friendly error with retry, or its content.
 */
export abstract class PorchPart extends PorchElement {
  /** The section's title. */
  protected abstract get heading(): string;

  /** Which `#porch/<kind>/<id>` links this part reveals. */
  protected readonly revealKind: DeepLink['kind'] | null = null;

  #revealed: DeepLink | null = null;
  #linkTaken: DeepLink | null = null;

  protected abstract renderContent(data: PortalResponse): unknown;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.portal) {
      console.warn(`<${this.localName}> shows nothing outside <porch-portal>: put it inside one, which signs in and loads the data.`);
    }
  }

  override render() {
    const { portal } = this;
    return html`<section part="base" aria-labelledby="heading" aria-busy=${portal?.status === 'pending' ? 'true' : 'false'}>
      <h2 id="heading" part="heading">${this.heading}</h2>
      ${!portal
        ? this.emptyState('Place this inside a <porch-portal> element to show it.')
        : portal.status === 'error'
          ? renderProblem(portal.error, portal.reload)
          : portal.data
            ? this.renderContent(portal.data)
            : html`<div aria-label="Loading" role="img"><span class="skeleton"></span><span class="skeleton"></span><span class="skeleton"></span></div>`}
      ${this.renderAnnouncement()}
    </section>`;
  }

  /** The deep link to this part's kind of item, once (the first update with data after it arrives); else null. */
  protected takeDeepLink(): DeepLink | null {
    const focus = this.portal?.focus;
    if (!focus || focus.kind !== this.revealKind || focus === this.#linkTaken || !this.portal?.data || !this.api) return null;
    this.#linkTaken = focus;
    return focus;
  }

  /** Whether row `id` is the item a deep link asked for. */
  protected isRevealed(id: string): boolean {
    const focus = this.portal?.focus;
    return focus?.kind === this.revealKind && focus.id === id;
  }

  protected emptyState(text: string) {
    return html`<p class="empty" part="empty">${text}</p>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Scroll a deep-linked item into view once, when it first appears.
    const focus = this.portal?.focus;
    if (!focus || focus === this.#revealed || focus.kind !== this.revealKind) return;
    const row = this.renderRoot.querySelector(`[data-focused]`);
    if (!row) return;
    this.#revealed = focus;
    row.scrollIntoView({ block: 'start' });
  }
}
