import { html, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Approval, Decision } from '../../../server/types.ts';
import { friendlyMessage, PorchElement } from '../../shared/element.ts';
import { emit } from '../../shared/events.ts';
import { formatDateTime } from '../../shared/format.ts';
import { withApproval } from '../../shared/portal-data.ts';
import { approveButtonStyles } from './approve-button.styles.ts';

const DONE: Record<Decision, string> = { approved: 'Approved', changes_requested: 'Changes requested' };

/**
 * @tagname porch-approve-button
 * @summary Approve, or request changes with a comment: two taps (choose, then confirm), then who
 * decided and when. Inside a `<porch-portal>`; give it the approval as the `approval` property or
 * by `approval-id`.
 *
 * @event porch-approve-request - Cancelable, fired before the decision is sent; `preventDefault()` stops it. `detail: { approval, decision, comment }`.
 * @event porch-approved - The decision was recorded (approved or changes requested: `detail.approval.decision` says which and who). `detail: { approval }`.
 * @event porch-error - The decision could not be recorded. `detail: { error }` (`error.code` is `already_decided` when someone decided first).
 *
 * @csspart base - The wrapper.
 * @csspart button - Each button (approve, request changes, confirm, cancel).
 * @csspart comment - The comment field.
 * @csspart decision - "Approved by … on …".
 *
 * @cssproperty [--porch-accent=the agency's brand colour] - The approve and confirm buttons.
 */
export class PorchApproveButton extends PorchElement {
  static override styles = [PorchElement.styles, approveButtonStyles];

  /** The approval request to decide (as the API answers it). */
  @property({ attribute: false }) accessor approval: Approval | undefined;

  /** Or its id: the element finds it in the portal's data, or loads it. */
  @property({ attribute: 'approval-id' }) accessor approvalId: string | null = null;

  /** `idle`, or the decision waiting for confirmation. */
  @state() private accessor step: 'idle' | Decision = 'idle';
  @state() private accessor comment = '';
  /** Why the last confirmation did not go through. */
  @state() private accessor problem = '';
  /** The approval as the API last answered it to this element. */
  @state() private accessor latest: Approval | undefined;

  @query('textarea') private accessor commentField!: HTMLTextAreaElement | null;
  @query('.confirm .primary') private accessor confirmButton!: HTMLButtonElement | null;

  /** The freshest copy: the portal's data, then this element's own answer, then the property. */
  private get current(): Approval | undefined {
    const id = this.approval?.id ?? this.approvalId;
    return this.portal?.data?.approvals.find((a) => a.id === id) ?? (this.latest?.id === id ? this.latest : this.approval);
  }

  #requested: string | null = null;

  override willUpdate(): void {
    // Standalone with only an id that the portal does not list (already decided): ask the API, once.
    const id = this.approvalId;
    if (id && id !== this.#requested && !this.current && this.portal?.status === 'ready') {
      this.#requested = id;
      this.refresh(id);
    }
  }

  override render() {
    const approval = this.current;
    if (!approval) return html`<span class="skeleton" part="base"></span>`;
    const { decision } = approval;
    if (decision) {
      return html`<div part="base">
        <p class="decision" part="decision">
          <strong>${DONE[decision.decision]}</strong> by ${decision.actor_name ?? decision.actor_email ?? 'the client'}
          on ${formatDateTime(decision.decided_at, this.locale)}
        </p>
        ${decision.comment ? html`<blockquote>${decision.comment}</blockquote>` : ''} ${this.renderAnnouncement()}
      </div>`;
    }
    if (this.step === 'idle') {
      return html`<div class="actions" part="base">
        <button class="primary" part="button" @click=${() => this.choose('approved')}>
          Approve<span class="sr">: ${approval.title}</span>
        </button>
        <button part="button" @click=${() => this.choose('changes_requested')}>
          Request changes<span class="sr">: ${approval.title}</span>
        </button>
        ${this.renderAnnouncement()}
      </div>`;
    }
    const approving = this.step === 'approved';
    return html`<div class="confirm" part="base">
      <label for="comment">${approving ? 'Comment (optional)' : 'What should change?'}</label>
      <textarea
        id="comment"
        part="comment"
        rows="3"
        maxlength="5000"
        ?required=${!approving}
        aria-invalid=${this.problem ? 'true' : 'false'}
        aria-describedby="problem"
        .value=${this.comment}
        @input=${(e: Event) => (this.comment = (e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <p id="problem" class="problem-text" role="alert">${this.problem}</p>
      <p>You are ${approving ? 'approving' : 'requesting changes to'} version ${approval.version.version} of ${approval.document.title}.</p>
      <div class="actions">
        <button class="primary" part="button" aria-busy=${this.isBusy('decide')} @click=${() => this.confirm(approval)}>
          ${approving ? 'Confirm approval' : 'Send request'}
        </button>
        <button part="button" @click=${() => this.choose('idle')}>Cancel</button>
      </div>
      ${this.renderAnnouncement()}
    </div>`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // Move focus with the step, so the second tap (or Enter) is where the eye is.
    if (changed.has('step') && this.step !== 'idle') {
      (this.step === 'approved' ? this.confirmButton : this.commentField)?.focus();
    }
  }

  private choose(step: 'idle' | Decision) {
    this.step = step;
    this.problem = '';
    if (step === 'idle') this.comment = '';
  }

  private async confirm(approval: Approval) {
    const decision = this.step as Decision;
    const comment = this.comment.trim();
    if (decision === 'changes_requested' && !comment) {
      this.problem = 'Please say what should change.';
      this.commentField?.focus();
      return;
    }
    if (!emit(this, 'porch-approve-request', { approval, decision, comment }, true)) return;
    let decidedElsewhere = false;
    const decided = await this.attempt(
      'decide',
      (api) => api.decide(approval.id, decision, comment || undefined),
      (error) => {
        this.problem = friendlyMessage(error);
        decidedElsewhere = error.code === 'already_decided';
      },
    );
    // Someone decided first (another tab, a colleague): show their decision instead of the buttons.
    if (decidedElsewhere) return this.refresh(approval.id);
    if (!decided) return;
    this.record(decided);
    this.step = 'idle';
    this.comment = '';
    this.announcement = `${DONE[decision]}. Thank you, your decision is recorded.`;
    emit(this, 'porch-approved', { approval: decided });
  }

  private async refresh(id: string) {
    const current = await this.attempt('load', (api) => api.approval(id));
    if (current) this.record(current);
  }

  private record(approval: Approval) {
    this.latest = approval;
    this.portal?.patch((data) => withApproval(data, approval));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-approve-button': PorchApproveButton;
  }
}
