import { initialState, Task, TaskStatus } from '@lit/task';
import { html, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Approval, Decision } from '../../../server/types.ts';
import type { PorchError } from '../../api/client.ts';
import { focusOn, NEEDS_PORTAL, PorchElement } from '../../shared/element.ts';
import { emit } from '../../shared/events.ts';
import { DECIDED, decidedBy } from '../../shared/format.ts';
import { withApproval } from '../../shared/portal-data.ts';
import { asPorchError, friendlyMessage, renderProblem } from '../../shared/problem.ts';
import { approveButtonStyles } from './approve-button.styles.ts';

/** What a decision came to: recorded, or refused (409) because the approval was decided or withdrawn first. */
interface Outcome {
  approval: Approval;
  refused?: PorchError;
}

/**
 * @tagname porch-approve-button
 * @summary Approve, or request changes with a comment: two taps (choose, then confirm), then who
 * decided and when. Inside a `<porch-portal>`; give it the approval as the `approval` property or
 * by `approval-id`. Outside a portal, or with an id the client has no approval for, it says so
 * (and warns in the console) instead of loading forever.
 *
 * @event porch-approve-request - Cancelable, fired before the decision is sent; `preventDefault()` stops it. `detail: { approval, decision, comment }`.
 * @event porch-approved - The decision was recorded (approved or changes requested: `detail.approval.decision` says which and who). `detail: { approval }`.
 * @event porch-error - The decision could not be recorded, or the approval not loaded. `detail: { error }` (`error.code` is `already_decided` when someone decided first: the button then shows that decision and says the client's was not sent).
 *
 * @csspart base - The wrapper, in every state.
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

  /** Where focus goes after the next render: the outcome, or the button a cancelled choice came from. */
  #focusNext: string | null = null;

  /** An approval the portal does not list (decided long ago, or placed by id): loaded once. */
  #loading = new Task(this, {
    args: () => [this.missingId] as const,
    task: ([id]) => (id ? this.api!.approval(id) : initialState),
    onComplete: (approval) => this.portal?.patch((data) => withApproval(data, approval)),
    onError: (caught) => {
      const error = asPorchError(caught);
      if (error.code === 'not_found') {
        console.warn(`<porch-approve-button approval-id="${this.approvalId}">: the signed-in client has no approval with this id.`);
      }
      emit(this, 'porch-error', { error });
    },
  });

  /** Sends the decision; on 409, loads what was decided instead. */
  #deciding = new Task(this, {
    autoRun: false,
    task: async ([approval, decision, comment]: readonly [Approval, Decision, string]): Promise<Outcome> => {
      const api = this.api!;
      try {
        return { approval: await api.decide(approval.id, decision, comment || undefined) };
      } catch (caught) {
        const refused = asPorchError(caught);
        if (refused.status !== 409) throw refused;
        return { approval: await api.approval(approval.id), refused };
      }
    },
    onComplete: ({ approval, refused }) => {
      this.portal?.patch((data) => withApproval(data, approval));
      this.choose('idle');
      this.#focusNext = '.outcome';
      if (refused) {
        this.announcement = `Your decision was not sent: ${approval.decision ? 'this was already decided' : 'this request was withdrawn'}.`;
        emit(this, 'porch-error', { error: refused });
      } else {
        this.announcement = `${DECIDED[approval.decision!.decision]}. Thank you, your decision is recorded.`;
        emit(this, 'porch-approved', { approval });
      }
    },
    onError: (caught) => {
      const error = asPorchError(caught);
      this.problem = friendlyMessage(error);
      emit(this, 'porch-error', { error });
    },
  });

  /** The freshest copy: the portal's data, then this element's own answers (its decision, then its load), then the property. */
  private get current(): Approval | undefined {
    const id = this.approval?.id ?? this.approvalId;
    return [...(this.portal?.data?.approvals ?? []), this.#deciding.value?.approval, this.#loading.value].find((a) => a?.id === id) ?? this.approval;
  }

  /** The `approval-id` to load: set, and not among what the portal loaded. */
  private get missingId(): string | undefined {
    return (this.portal?.status === 'ready' && this.api && !this.current && this.approvalId) || undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.approval && !this.approvalId) console.warn('<porch-approve-button> needs an approval-id attribute (or an approval property).');
  }

  override render() {
    // One wrapper and one live region in every state: the region must exist before what it announces.
    return html`<div part="base">${this.renderState()}</div>
      ${this.renderAnnouncement()}`;
  }

  private renderState() {
    const { portal } = this;
    const approval = this.current;
    if (!portal) return html`<p class="empty">${NEEDS_PORTAL}</p>`;
    if (!approval) {
      if (!this.approvalId) return html`<p class="empty">Give this button an approval-id to show it.</p>`;
      if (portal.status === 'error') return renderProblem(portal.error, portal.reload);
      if (this.#loading.status === TaskStatus.ERROR) {
        const error = asPorchError(this.#loading.error);
        return error.code === 'not_found'
          ? html`<p class="empty">This approval is no longer available.</p>`
          : renderProblem(error, () => this.#loading.run());
      }
      return html`<span class="skeleton"></span>`;
    }
    const { decision } = approval;
    if (decision || approval.status === 'withdrawn') {
      return html`${this.#deciding.value?.refused ? html`<p class="notice">Your decision was not sent${decision ? ': this was already decided.' : '.'}</p>` : ''}
        <p class="outcome" part="decision">
          ${decision
            ? html`<strong>${DECIDED[decision.decision]}</strong> ${decidedBy(decision, this.locale)}`
            : html`<strong>Withdrawn</strong>: this request no longer needs a decision.`}
        </p>
        ${decision?.comment ? html`<blockquote>${decision.comment}</blockquote>` : ''}`;
    }
    const newer = approval.superseded
      ? html`<p class="notice">A newer version is out. You can still decide on version ${approval.version.version}.</p>`
      : '';
    if (this.step === 'idle') {
      return html`${newer}
        <div class="actions">
          <button class="primary" part="button" id="approved" @click=${() => this.choose('approved')}>
            Approve<span class="sr">: ${approval.title}</span>
          </button>
          <button part="button" id="changes_requested" @click=${() => this.choose('changes_requested')}>
            Request changes<span class="sr">: ${approval.title}</span>
          </button>
        </div>`;
    }
    const approving = this.step === 'approved';
    const sending = this.#deciding.status === TaskStatus.PENDING;
    return html`<div class="confirm">
      ${newer}
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
        <button class="primary" part="button" id="confirm" aria-busy=${sending ? 'true' : 'false'} @click=${() => this.confirm(approval)}>
          ${sending ? html`<span class="spinner"></span>` : ''}${approving ? 'Confirm approval' : 'Send request'}
        </button>
        <button part="button" @click=${() => this.choose('idle')}>Cancel</button>
      </div>
    </div>`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    // Focus follows the step, so the second tap (or Enter) is where the eye is, and never falls to the page.
    if (changed.has('step') && this.step !== 'idle') this.#focusNext = this.step === 'approved' ? '#confirm' : 'textarea';
    if (this.#focusNext) {
      focusOn(this.renderRoot.querySelector<HTMLElement>(this.#focusNext));
      this.#focusNext = null;
    }
  }

  private choose(step: 'idle' | Decision) {
    // Cancel returns focus to the button the choice came from.
    if (step === 'idle' && this.step !== 'idle') this.#focusNext = `#${this.step}`;
    this.step = step;
    this.problem = '';
    if (step === 'idle') this.comment = '';
  }

  private confirm(approval: Approval) {
    const decision = this.step as Decision;
    const comment = this.comment.trim();
    if (decision === 'changes_requested' && !comment) {
      this.problem = 'Please say what should change.';
      this.#focusNext = 'textarea';
      return;
    }
    if (this.#deciding.status === TaskStatus.PENDING || !this.api) return;
    if (!emit(this, 'porch-approve-request', { approval, decision, comment }, true)) return;
    this.problem = '';
    this.#deciding.run([approval, decision, comment]);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'porch-approve-button': PorchApproveButton;
  }
}
