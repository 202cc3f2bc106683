import { html } from 'lit';
import type { Approval, PortalResponse } from '../../../server/types.ts';
import { downloadKey, PorchPart } from '../../shared/element.ts';
import { formatDate } from '../../shared/format.ts';
import { approvalsStyles } from './approvals.styles.ts';

/**
 * @tagname porch-approvals
 * @summary What waits for the client's approval, each with the exact version to review and
 * `<porch-approve-button>`; decisions made here stay in view with who decided and when.
 *
 * @event porch-approve-request - From the approve buttons inside: cancelable. `detail: { approval, decision, comment }`.
 * @event porch-approved - A decision was recorded. `detail: { approval }`.
 * @event porch-download - The version under review was downloaded. `detail: { kind: 'document', id, version, filename }`.
 * @event porch-error - A decision or download failed. `detail: { error }`.
 *
 * @csspart base - The section.
 * @csspart heading - The section's title.
 * @csspart row - One approval request.
 * @csspart empty - The message shown when nothing waits.
 * @csspart error - The error message with its retry button.
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - The approve buttons.
 */
export class PorchApprovals extends PorchPart {
  static override styles = [PorchPart.styles, approvalsStyles];

  protected override readonly revealKind = 'approval' as const;

  protected get heading() {
    return 'Waiting for your approval';
  }

  override willUpdate(): void {
    // A link to an approval the portal does not list (decided already): load it to show the decision.
    const link = this.takeDeepLink();
    if (link && !this.portal?.data?.approvals.some((a) => a.id === link.id)) {
      this.attempt('load', (api) => api.approval(link.id)).then(
        (approval) => approval && this.portal?.patch((data) => ({ ...data, approvals: [approval, ...data.approvals] })),
      );
    }
  }

  protected renderContent({ approvals, agency }: PortalResponse) {
    if (!approvals.length) {
      return this.emptyState(`Nothing needs your approval. When ${agency.name} asks you to sign something off, it will appear here.`);
    }
    // A deep-linked approval comes first, so its buttons are the first thing on screen.
    const ordered = [...approvals].sort((a, b) => Number(this.isRevealed(b.id)) - Number(this.isRevealed(a.id)));
    return html`<ul class="rows">${ordered.map((a) => this.renderApproval(a))}</ul>`;
  }

  private renderApproval(approval: Approval) {
    const { document, version } = approval;
    const file = { kind: 'document' as const, id: document.id, version: version.version, filename: version.filename };
    return html`<li part="row" data-id=${approval.id} ?data-focused=${this.isRevealed(approval.id)}>
      <div class="grow">
        <h3>${approval.title}</h3>
        ${approval.message ? html`<p>${approval.message}</p>` : ''}
        <p class="muted">
          ${document.title}, version ${version.version} (${version.filename})${version.note ? ` · ${version.note}` : ''}
        </p>
        <p class="muted">
          Requested by ${approval.requested_by}${approval.due_on ? ` · please decide by ${formatDate(approval.due_on, this.locale)}` : ''}
        </p>
        <button
          class="review"
          aria-busy=${this.isBusy(downloadKey(file))}
          @click=${() => this.download(file, (api) => api.versionFile(file.id, file.version))}
        >
          Review v${version.version}<span class="sr">: download ${version.filename}</span>
        </button>
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
