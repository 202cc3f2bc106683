import { consume } from '@lit/context';
import { Task, TaskStatus } from '@lit/task';
import { html, LitElement, nothing, type CSSResultGroup, type PropertyValues } from 'lit';
import { state } from 'lit/decorators.js';
import type { PortalResponse } from '../../server/types.ts';
import type { PorchApi, PorchError } from '../api/client.ts';
import { apiContext, portalContext, type PortalState } from './context.ts';
import type { DeepLink } from './deep-link.ts';
import { saveFile } from './download.ts';
import { emit, type PorchDownloadDetail } from './events.ts';
import { withViewed } from './portal-data.ts';
import { asPorchError, renderProblem } from './problem.ts';
import { baseStyles } from './styles.ts';
import { inkAccent } from './theme.ts';

/** A request to the API on the client's behalf. */
export type Work<T> = (api: PorchApi) => Promise<T>;

export const NEEDS_PORTAL = 'Place this inside a <porch-portal> element to show it.';

/**
 * Which element shows a deep link's item: the first that has it. A page may lay out two parts that
 * both list an invoice; only one scrolls to it, takes focus, or says it is gone.
 */
const linkOwners = new WeakMap<DeepLink, Element>();

function claimLink(link: DeepLink, el: Element): boolean {
  const owner = linkOwners.get(link);
  if (owner?.isConnected && owner !== el) return false;
  linkOwners.set(link, el);
  return true;
}

/**
 * Moves focus to `el`, making it focusable for as long as it has focus if it is not already (a
 * heading, an outcome, a row): keyboard and screen reader users land where the change happened,
 * and the page's tab order does not gain stops.
 */
export function focusOn(el: HTMLElement | null | undefined, options?: FocusOptions): void {
  if (!el) return;
  if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) {
    el.tabIndex = -1;
    el.addEventListener('blur', () => el.removeAttribute('tabindex'), { once: true });
  }
  el.focus(options);
}

/**
 * Every Porch element inside a portal: receives the API client and the portal's state from the
 * enclosing `<porch-portal>` (through @lit/context), runs the requests the client asks for (one
 * @lit/task Task each, so every button has its own progress and failure), announces outcomes.
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

  #requests = new Map<string, Task<readonly [Work<unknown>], unknown>>();
  #accent?: string;

  override connectedCallback(): void {
    super.connectedCallback();
    // The portal answers the context request synchronously as the element connects.
    if (!this.portal) {
      console.warn(`<${this.localName}> shows nothing outside <porch-portal>: put it inside one, which signs in and loads the data.`);
    }
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // The accent can change with the brand colour the portal loads, or the page's theme.
    this.#accent = inkAccent(this, this.#accent);
  }

  protected get locale(): string | undefined {
    return this.portal?.locale;
  }

  protected renderAnnouncement() {
    return html`<p class="sr" role="status">${this.announcement}</p>`;
  }

  /** Request `key` (`download:…`, `history:<id>`): one Task each, made on first use. */
  protected request(key: string): Task<readonly [Work<unknown>], unknown> {
    let task = this.#requests.get(key);
    if (!task) {
      task = new Task(this, {
        autoRun: false,
        task: ([work]) => work(this.api!),
        onError: (error) => emit(this, 'porch-error', { error: asPorchError(error) }),
      });
      this.#requests.set(key, task);
    }
    return task;
  }

  /**
   * Runs request `key` unless it is running already (a second tap on a busy button does nothing;
   * other buttons run their own). Resolves to the answer, or undefined if it failed: the failure
   * is then shown where `renderFailure(key)` puts it, and fired as `porch-error`.
   */
  protected async run<T>(key: string, work: Work<T>): Promise<T | undefined> {
    const task = this.request(key);
    if (!this.api || task.status === TaskStatus.PENDING) return undefined;
    await task.run([work]);
    return task.status === TaskStatus.COMPLETE ? (task.value as T) : undefined;
  }

  protected statusOf(key: string): TaskStatus {
    return this.#requests.get(key)?.status ?? TaskStatus.INITIAL;
  }

  /** Why request `key` failed, if it did. */
  protected failureOf(key: string): PorchError | undefined {
    const task = this.#requests.get(key);
    return task?.status === TaskStatus.ERROR ? asPorchError(task.error) : undefined;
  }

  /** The failure of request `key`, visible beside what the client tapped, with a retry. */
  protected renderFailure(key: string, retry: () => void) {
    const error = this.failureOf(key);
    return error ? renderProblem(error, retry) : nothing;
  }

  /** A button that runs request `key`: "Preparing…" with a spinner while it runs. */
  protected renderRequestButton(key: string, label: unknown, detail: string, onClick: () => void, primary = false) {
    const busy = this.statusOf(key) === TaskStatus.PENDING;
    return html`<button class=${primary ? 'primary' : ''} aria-busy=${busy ? 'true' : 'false'} @click=${onClick}>
      ${busy ? html`<span class="spinner"></span>Preparing…` : label}<span class="sr">: ${detail}</span>
    </button>`;
  }

  /** Fetches a file behind the session, hands it to the browser, and tells the page. */
  protected async download(file: PorchDownloadDetail, fetchFile: Work<Blob>): Promise<void> {
    const blob = await this.run(downloadKey(file), fetchFile);
    if (!blob) return;
    saveFile(blob, file.filename);
    this.announcement = `Downloading ${file.filename}`;
    const { version } = file;
    if (file.kind === 'document' && version) this.portal?.patch((data) => withViewed(data, file.id, version));
    emit(this, 'porch-download', file);
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
  /** The client retried from here: take focus to the heading once the portal is back. */
  #refocus = false;

  protected abstract renderContent(data: PortalResponse): unknown;

  override render() {
    const { portal } = this;
    return html`<section part="base" aria-labelledby="heading" aria-busy=${portal?.status === 'pending' ? 'true' : 'false'}>
      <h2 id="heading" part="heading">${this.heading}</h2>
      ${!portal
        ? this.emptyState(NEEDS_PORTAL)
        : portal.status === 'error'
          ? renderProblem(portal.error, () => {
              this.#refocus = true;
              portal.reload();
            })
          : portal.data
            ? this.renderContent(portal.data)
            : html`<div aria-label="Loading" role="img"><span class="skeleton"></span><span class="skeleton"></span><span class="skeleton"></span></div>`}
      ${this.renderAnnouncement()}
    </section>`;
  }

  /** Moves focus to the section's heading (the portal does after a retry). */
  override focus(options?: FocusOptions): void {
    focusOn(this.renderRoot.querySelector('h2'), options);
  }

  /** The deep link to this part's kind of item, once (the first update with data after it arrives); else null. */
  protected takeDeepLink(): DeepLink | null {
    const focus = this.portal?.focus;
    if (!focus || focus.kind !== this.revealKind || focus === this.#linkTaken || !this.portal?.data || !this.api) return null;
    this.#linkTaken = focus;
    return focus;
  }

  /** Whether row `id` is the item a deep link asked for (and this part the first to show it). */
  protected isRevealed(id: string): boolean {
    const focus = this.portal?.focus;
    return focus?.kind === this.revealKind && focus.id === id && claimLink(focus, this);
  }

  /** Says so, visibly, when the item a deep link asked for is not there (`found` false). */
  protected renderLinkGone(found: boolean) {
    const focus = this.portal?.focus;
    return focus?.kind === this.revealKind && !found && claimLink(focus, this)
      ? html`<p class="notice empty" role="alert">The ${focus.kind} your link points to is no longer available.</p>`
      : nothing;
  }

  protected emptyState(text: string) {
    return html`<p class="empty" part="empty">${text}</p>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.#refocus && this.portal?.status === 'ready') {
      this.#refocus = false;
      this.focus();
    }
    // Scroll a deep-linked item into view and focus it once, when it first appears: after the
    // portal has put its sections in order (moving a section would take the focus away again).
    const focus = this.portal?.focus;
    if (!focus || focus === this.#revealed || focus.kind !== this.revealKind || !this.renderRoot.querySelector('[data-focused]')) return;
    this.#revealed = focus;
    setTimeout(() => {
      const row = this.renderRoot.querySelector<HTMLElement>('[data-focused]');
      row?.scrollIntoView({ block: 'start' });
      focusOn(row, { preventScroll: true });
    });
  }
}
