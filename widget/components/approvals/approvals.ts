import { html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Approval, PortalResponse } from '../../../server/types.ts';
import { downloadKey, PorchPart } from '../../shared/element.ts';
import { versionedName } from '../../shared/download.ts';
import { DECIDED, decidedBy, formatDate } from '../../shared/format.ts';
import { isPending } from '../../shared/portal-data.ts';
import { approvalsStyles } from './approvals.styles.ts';

const LINKED = 'linked';

/**
 * @tagname porch-approvals
 * @summary What waits for the client's approval, each with the exact version to review and
 * `<porch-approve-button>`; decisions made here stay in view with who decided and when, and
 * approvals decided lately are listed under "Recently decided".
 *
 * @event porch-approve-request - From the approve buttons inside: cancelable. `detail: { approval, decision, comment }`.
 * @event porch-approved - A decision was recorded. `detail: { approval }`.
 * @event porch-download - The version under review was downloaded. `detail: { kind: 'document', id, version, filename }`.
 * @event porch-error - A decision, a download or a linked approval failed. `detail: { error }`.
 *
 * @csspart base - The section.
 * @csspart heading - The section's title.
 * @csspart row - One approval request.
 * @csspart decided - The "Recently decided" list.
 * @csspart empty - The message shown when nothing waits.
 * @csspart error - An error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - The approve buttons.
 */
export class PorchApprovals extends PorchPart {
  static override styles = [PorchPart.styles, approvalsStyles];

  protected override readonly revealKind = 'approval' as const;

  /** Approvals shown here waiting: they keep their row, with the decision, once the client decides. */
  #shownWaiting = new Set<string>();

  protected get heading() {
    return 'Waiting for your approval';
  }

  override willUpdate(): void {
    // A link to an approval the portal does not list (decided long ago): load it to show the decision.
    const link = this.takeDeepLink();
    if (link && !this.portal?.data?.approvals.some((a) => a.id === link.id)) this.loadLinked(link.id);
  }

  private async loadLinked(id: string) {
    const approval = await this.run(LINKED, (api) => api.approval(id));
    if (approval) this.portal?.patch((data) => ({ ...data, approvals: [approval, ...data.approvals] }));
  }

  protected renderContent({ approvals, agency }: PortalResponse) {
    for (const approval of approvals) if (isPending(approval)) this.#shownWaiting.add(approval.id);
    // A deep-linked approval comes first, so its buttons are the first thing on screen.
    const current = approvals
      .filter((a) => this.#shownWaiting.has(a.id) || this.isRevealed(a.id))
      .sort((a, b) => Number(this.isRevealed(b.id)) - Number(this.isRevealed(a.id)));
    const recent = approvals.filter((a) => !current.includes(a) && a.decision);
    const link = this.portal?.focus;
    const linkGone = this.failureOf(LINKED)?.code === 'not_found';
    return html`${this.renderLinkGone(!linkGone)}
      ${linkGone ? nothing : this.renderFailure(LINKED, () => link && this.loadLinked(link.id))}
      ${current.length
        ? html`<ul class="rows">${repeat(current, (a) => a.id, (a) => this.renderApproval(a))}</ul>`
        : this.emptyState(`Nothing needs your approval. When ${agency.name} asks you to sign something off, it will appear here.`)}
      ${recent.length
        ? html`<h3 class="recent">Recently decided</h3>
            <ul class="rows" part="decided">
              ${recent.map(
                (a) => html`<li>
                  <p class="grow"><strong>${a.title}</strong><br />${DECIDED[a.decision!.decision]}
                    ${decidedBy(a.decision!, this.locale)}</p>
                </li>`,
              )}
            </ul>`
        : nothing}`;
  }

  private renderApproval(approval: Approval) {
    const { document, version } = approval;
    const file = { kind: 'document' as const, id: document.id, version: version.version, filename: versionedName(version.filename, version.version) };
    const review = () => this.download(file, (api) => api.versionFile(file.id, file.version));
    const revealed = this.isRevealed(approval.id);
    return html`<li part="row" data-id=${approval.id} ?data-focused=${revealed}>
      <div class="grow">
        <h3>${approval.title}</h3>
        ${approval.message ? html`<p>${approval.message}</p>` : ''}
        <p class="muted">
          ${document.title}, version ${version.version} (${version.filename})${version.note ? ` · ${version.note}` : ''}
        </p>
        <p class="muted">
          Requested by ${approval.requested_by}${approval.due_on ? ` · please decide by ${formatDate(approval.due_on, this.locale)}` : ''}
        </p>
        <div class="review">${this.renderRequestButton(downloadKey(file), `Review v${version.version}`, `download ${version.filename}`, review)}</div>
        ${this.renderFailure(downloadKey(file), review)}
      </div>
      <porch-approve-button class="decide" .approval=${approval}></porch-approve-button>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-approvals': PorchApprovals;
  }
}
