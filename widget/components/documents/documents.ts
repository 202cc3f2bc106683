import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { DocumentDetail, DocumentSummary, DocumentVersion, PortalResponse } from '../../../server/types.ts';
import type { PorchError } from '../../api/client.ts';
import { asPorchError, downloadKey, PorchPart, renderProblem } from '../../shared/element.ts';
import { emit } from '../../shared/events.ts';
import { formatDate } from '../../shared/format.ts';
import { documentsStyles } from './documents.styles.ts';

/** The portal's first screen carries at most this many documents (PORTAL_DOCUMENT_LIMIT on the server); past it, search asks the API. */
const FIRST_SCREEN_DOCUMENTS = 100;

type History = { status: 'pending' } | { status: 'ready'; detail: DocumentDetail } | { status: 'error'; error: PorchError };

/**
 * @tagname porch-documents
 * @summary The client's documents: the latest version of each first, a search that filters as
 * you type, version history one tap away, downloads, and a "New" mark on versions not yet opened.
 *
 * @event porch-download - A version was downloaded. `detail: { kind: 'document', id, version, filename }`.
 * @event porch-error - A download or the history failed to load. `detail: { error }`.
 *
 * @csspart base - The section.
 * @csspart heading - The section's title.
 * @csspart search - The search box.
 * @csspart row - One document.
 * @csspart history - A document's list of versions.
 * @csspart badge - The "New" mark.
 * @csspart empty - The message shown when there is nothing (yet) to list.
 * @csspart error - The error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - Download buttons and the "New" mark.
 */
export class PorchDocuments extends PorchPart {
  static override styles = [PorchPart.styles, documentsStyles];

  protected override readonly revealKind = 'document' as const;

  /** What the search box holds. */
  @state() private accessor query = '';

  /** The API's answer for a search, when the first screen may not hold every document. */
  @state() private accessor found: { query: string; documents: DocumentSummary[] } | null = null;

  #searchTimer?: ReturnType<typeof setTimeout>;

  /** Version histories by document id, loaded when first opened; present means open. */
  @state() private accessor histories: Record<string, History> = {};

  protected get heading() {
    return 'Documents';
  }

  override willUpdate(): void {
    // A deep link to a document opens its history.
    const link = this.takeDeepLink();
    const linked = link && this.portal?.data?.documents.find((d) => d.id === link.id);
    if (linked && linked.version_count > 1 && !this.histories[linked.id]) this.loadHistory(linked.id);
  }

  protected renderContent({ documents, agency }: PortalResponse) {
    if (!documents.length) return this.emptyState(`Documents ${agency.name} shares with you will appear here, newest first.`);
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    const searched = this.found?.query === this.query ? this.found.documents : documents;
    const shown = searched.filter((d) => {
      const text = `${d.title} ${d.latest.filename}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    return html`
      <label class="sr" for="search">Search documents</label>
      <input
        id="search"
        part="search"
        type="search"
        placeholder="Search documents"
        autocomplete="off"
        .value=${this.query}
        @input=${(e: Event) => this.search((e.target as HTMLInputElement).value, documents.length)}
      />
      <p class="sr" role="status">${words.length ? `${shown.length} of ${documents.length} documents` : ''}</p>
      ${shown.length
        ? html`<ul class="rows">${shown.map((d) => this.renderDocument(d))}</ul>`
        : html`<p class="empty" part="empty">No document matches “${this.query}”.</p>`}
    `;
  }

  /** Filters as the client types; a first screen that may be cut short also asks the API, after a pause. */
  private search(query: string, loaded: number) {
    this.query = query;
    clearTimeout(this.#searchTimer);
    if (loaded < FIRST_SCREEN_DOCUMENTS || !query.trim()) return;
    this.#searchTimer = setTimeout(async () => {
      const documents = await this.attempt('search', (api) => api.documents(query.trim()));
      if (documents) this.found = { query, documents };
    }, 250);
  }

  private renderDocument(doc: DocumentSummary) {
    const history = this.histories[doc.id];
    return html`<li part="row" data-id=${doc.id} ?data-focused=${this.isRevealed(doc.id)}>
      <div class="grow">
        <h3>${doc.title}${newBadge(doc.latest)}</h3>
        <p class="muted">${this.describe(doc.latest)}</p>
      </div>
      <div class="actions">
        ${this.downloadButton(doc, doc.latest, 'Download')}
        ${doc.version_count > 1
          ? html`<button
              aria-expanded=${history ? 'true' : 'false'}
              aria-controls="history-${doc.id}"
              @click=${() => this.toggleHistory(doc.id)}
            >
              History (${doc.version_count})<span class="sr">: all versions of ${doc.title}</span>
            </button>`
          : nothing}
      </div>
      ${history ? this.renderHistory(doc, history) : nothing}
    </li>`;
  }

  private renderHistory(doc: DocumentSummary, history: History) {
    return html`<div class="history" id="history-${doc.id}" part="history">
      ${history.status === 'pending'
        ? html`<span class="skeleton"></span><span class="skeleton"></span>`
        : history.status === 'error'
          ? renderProblem(history.error, () => this.loadHistory(doc.id))
          : html`<h4>Version history <span class="sr">of ${doc.title}</span></h4>
              <ol class="rows">
                ${history.detail.versions.map(
                  (v) => html`<li>
                    <div class="grow">
                      <p><strong>Version ${v.version}</strong>${newBadge(v)}</p>
                      <p class="muted">${this.describe(v, false)}</p>
                    </div>
                    ${this.downloadButton(doc, v, `Download v${v.version}`)}
                  </li>`,
                )}
              </ol>`}
    </div>`;
  }

  /** "v3 · 4 Dec 2025 · Final copy" (without the "v3" where a heading says it). */
  private describe(v: DocumentVersion, withVersion = true) {
    return [withVersion && `v${v.version}`, formatDate(v.created_at, this.locale), v.note].filter(Boolean).join(' · ');
  }

  private downloadButton(doc: DocumentSummary, v: DocumentVersion, label: string) {
    const file = { kind: 'document' as const, id: doc.id, version: v.version, filename: v.filename };
    return html`<button
      class=${v === doc.latest ? 'primary' : ''}
      aria-busy=${this.isBusy(downloadKey(file))}
      @click=${() => this.downloadVersion(file)}
    >
      ${label}<span class="sr">: ${doc.title}, version ${v.version} (${v.filename})</span>
    </button>`;
  }

  private async downloadVersion(file: { kind: 'document'; id: string; version: number; filename: string }) {
    await this.download(file, (api) => api.versionFile(file.id, file.version));
    // The portal marks the latest version viewed; an open history is this element's own copy.
    const history = this.histories[file.id];
    if (history?.status === 'ready') {
      const versions = history.detail.versions.map((v) => (v.version === file.version ? { ...v, viewed: true } : v));
      this.histories = { ...this.histories, [file.id]: { status: 'ready', detail: { ...history.detail, versions } } };
    }
  }

  private toggleHistory(id: string) {
    if (this.histories[id]) {
      const { [id]: _closed, ...open } = this.histories;
      this.histories = open;
    } else {
      this.loadHistory(id);
    }
  }

  private async loadHistory(id: string) {
    const api = this.api;
    if (!api) return;
    this.histories = { ...this.histories, [id]: { status: 'pending' } };
    let next: History;
    try {
      next = { status: 'ready', detail: await api.document(id) };
    } catch (caught) {
      const error = asPorchError(caught);
      next = { status: 'error', error };
      emit(this, 'porch-error', { error });
    }
    // Closed while loading: stay closed.
    if (this.histories[id]) this.histories = { ...this.histories, [id]: next };
  }
}

function newBadge(v: DocumentVersion) {
  return v.viewed ? nothing : html` <span class="badge new" part="badge">New</span>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-documents': PorchDocuments;
  }
}
