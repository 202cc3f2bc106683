import { initialState, Task, TaskStatus } from '@lit/task';
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { DocumentDetail, DocumentSummary, DocumentVersion, PortalResponse } from '../../../server/types.ts';
import { downloadKey, PorchPart } from '../../shared/element.ts';
import { versionedName } from '../../shared/download.ts';
import { emit } from '../../shared/events.ts';
import { formatDate } from '../../shared/format.ts';
import { asPorchError, renderProblem } from '../../shared/problem.ts';
import { documentsStyles } from './documents.styles.ts';

/** The portal's first screen carries at most this many documents (PORTAL_DOCUMENT_LIMIT on the server); past it, search asks the API. */
const FIRST_SCREEN_DOCUMENTS = 100;

const historyKey = (id: string) => `history:${id}`;

/**
 * @tagname porch-documents
 * @summary The client's documents: the latest version of each first, a search that filters as
 * you type, version history one tap away, downloads, and a "New" mark on versions not yet opened.
 *
 * @event porch-download - A version was downloaded. `detail: { kind: 'document', id, version, filename }` (the file name ends in `-v<version>`).
 * @event porch-error - A download, a search or the history failed. `detail: { error }`.
 *
 * @csspart base - The section.
 * @csspart heading - The section's title.
 * @csspart search - The search box.
 * @csspart row - One document.
 * @csspart history - A document's list of versions.
 * @csspart badge - The "New" mark.
 * @csspart empty - The message shown when there is nothing (yet) to list.
 * @csspart error - An error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - Download buttons and the "New" mark.
 */
export class PorchDocuments extends PorchPart {
  static override styles = [PorchPart.styles, documentsStyles];

  protected override readonly revealKind = 'document' as const;

  /** What the search box holds. */
  @state() private accessor query = '';

  /** What the API is asked for, after a pause in typing, when the first screen may not hold every document. */
  @state() private accessor asked = '';

  /** Documents whose version history is open. */
  @state() private accessor open: ReadonlySet<string> = new Set();

  #searchTimer?: ReturnType<typeof setTimeout>;

  #search = new Task(this, {
    args: () => [this.asked] as const,
    task: ([q]) => (q ? this.api!.documents(q) : initialState),
    onError: (error) => emit(this, 'porch-error', { error: asPorchError(error) }),
  });

  protected get heading() {
    return 'Documents';
  }

  override willUpdate(): void {
    // A deep link to a document opens its history.
    const link = this.takeDeepLink();
    const linked = link && this.portal?.data?.documents.find((d) => d.id === link.id);
    if (linked && linked.version_count > 1 && !this.open.has(linked.id)) this.toggleHistory(linked.id);
  }

  protected renderContent({ documents, agency }: PortalResponse) {
    const linked = this.portal?.focus;
    const gone = this.renderLinkGone(!linked || documents.some((d) => d.id === linked.id));
    if (!documents.length) return html`${gone}${this.emptyState(`Documents ${agency.name} shares with you will appear here, newest first.`)}`;
    const words = this.query.toLowerCase().split(/\s+/).filter(Boolean);
    const answered = this.#search.status === TaskStatus.COMPLETE && this.asked === this.query.trim();
    const searched = answered ? this.#search.value! : documents;
    const shown = searched.filter((d) => {
      const text = `${d.title} ${d.latest.filename}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
    return html`${gone}
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
      ${this.#search.status === TaskStatus.ERROR ? renderProblem(this.#search.error, () => this.#search.run()) : nothing}
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
    if (loaded < FIRST_SCREEN_DOCUMENTS) return;
    this.#searchTimer = setTimeout(() => (this.asked = query.trim()), 250);
  }

  private renderDocument(doc: DocumentSummary) {
    const open = this.open.has(doc.id);
    const revealed = this.isRevealed(doc.id);
    return html`<li part="row" data-id=${doc.id} ?data-focused=${revealed}>
      <div class="grow">
        <h3>${doc.title}${this.newBadge(doc, doc.latest)}</h3>
        <p class="muted">${this.describe(doc.latest)}</p>
      </div>
      <div class="actions">
        ${this.downloadButton(doc, doc.latest, 'Download')}
        ${doc.version_count > 1
          ? html`<button aria-expanded=${open ? 'true' : 'false'} aria-controls="history-${doc.id}" @click=${() => this.toggleHistory(doc.id)}>
              History (${doc.version_count})<span class="sr">: all versions of ${doc.title}</span>
            </button>`
          : nothing}
      </div>
      ${this.downloadFailure(doc, doc.latest)} ${open ? this.renderHistory(doc) : nothing}
    </li>`;
  }

  private renderHistory(doc: DocumentSummary) {
    const key = historyKey(doc.id);
    const status = this.statusOf(key);
    const detail = this.request(key).value as DocumentDetail | undefined;
    return html`<div class="history" id="history-${doc.id}" part="history">
      ${status === TaskStatus.PENDING
        ? html`<span class="skeleton"></span><span class="skeleton"></span>`
        : status === TaskStatus.ERROR
          ? this.renderFailure(key, () => this.loadHistory(doc.id))
          : html`<h4>Version history <span class="sr">of ${doc.title}</span></h4>
              <ol class="rows">
                ${detail?.versions.map(
                  (v) => html`<li>
                    <div class="grow">
                      <p><strong>Version ${v.version}</strong>${this.newBadge(doc, v)}</p>
                      <p class="muted">${this.describe(v, false)}</p>
                    </div>
                    ${this.downloadButton(doc, v, `Download v${v.version}`)} ${this.downloadFailure(doc, v)}
                  </li>`,
                )}
              </ol>`}
    </div>`;
  }

  /** "v3 · 4 Dec 2025 · Final copy" (without the "v3" where a heading says it). */
  private describe(v: DocumentVersion, withVersion = true) {
    return [withVersion && `v${v.version}`, formatDate(v.created_at, this.locale), v.note].filter(Boolean).join(' · ');
  }

  private file(doc: DocumentSummary, v: DocumentVersion) {
    return { kind: 'document' as const, id: doc.id, version: v.version, filename: versionedName(v.filename, v.version) };
  }

  private fetchVersion(doc: DocumentSummary, v: DocumentVersion) {
    const file = this.file(doc, v);
    return () => this.download(file, (api) => api.versionFile(file.id, file.version));
  }

  private downloadButton(doc: DocumentSummary, v: DocumentVersion, label: string) {
    const file = this.file(doc, v);
    return this.renderRequestButton(
      downloadKey(file),
      label,
      `${doc.title}, version ${v.version} (${file.filename})`,
      this.fetchVersion(doc, v),
      v === doc.latest,
    );
  }

  private downloadFailure(doc: DocumentSummary, v: DocumentVersion) {
    return this.renderFailure(downloadKey(this.file(doc, v)), this.fetchVersion(doc, v));
  }

  /** A version opened: by the first screen's data (the portal marks the latest), or downloaded during this visit. */
  private newBadge(doc: DocumentSummary, v: DocumentVersion) {
    const opened = v.viewed || this.statusOf(downloadKey(this.file(doc, v))) === TaskStatus.COMPLETE;
    return opened ? nothing : html` <span class="badge new" part="badge">New</span>`;
  }

  private toggleHistory(id: string) {
    const open = new Set(this.open);
    if (!open.delete(id)) {
      open.add(id);
      this.loadHistory(id);
    }
    this.open = open;
  }

  private loadHistory(id: string) {
    return this.run(historyKey(id), (api) => api.document(id));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-documents': PorchDocuments;
  }
}
