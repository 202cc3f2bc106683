import { expect, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Approval, Decision } from '../../../server/types.ts';
import type { PorchApproveButton, PorchPortal } from '../../porch.ts';
import {
  announced,
  API,
  buttonNamed,
  deepQuery,
  deepText,
  mount,
  pendingApproval,
  portalFixture,
  settle,
  stubFetch,
  until,
} from '../../test/helpers.ts';

function decided(decision: Decision, comment: string | null): Approval {
  return {
    ...pendingApproval,
    status: decision,
    decision: { decision, comment, actor_name: 'Maya Okafor', actor_email: 'maya@example.com', decided_at: '2025-03-12T15:30:00.000Z' },
  };
}

describe('<porch-approve-button>', () => {
  let sent: unknown[];

  async function render(decide: (body: { decision: Decision; comment?: string }) => unknown = (b) => decided(b.decision, b.comment ?? null)) {
    sent = [];
    stubFetch({
      'GET /v1/portal': () => portalFixture(),
      'POST /v1/approvals/appr-1/decision': async (request) => {
        const body = await request.json();
        sent.push(body);
        return decide(body);
      },
      'GET /v1/approvals/appr-1': () => decided('changes_requested', 'Someone else was first'),
    });
    const portal = await mount<PorchPortal>(
      html`<porch-portal api=${API} token="t"><porch-approve-button approval-id="appr-1"></porch-approve-button></porch-portal>`,
    );
    return portal.querySelector('porch-approve-button')!;
  }

  async function tap(el: PorchApproveButton, label: string) {
    buttonNamed(el, label).click();
    await settle(el);
  }

  it('records an approval in two taps, fires the events, and shows who decided and when', async () => {
    const button = await render();
    const request = oneEvent(button, 'porch-approve-request');
    const approved = oneEvent(button, 'porch-approved');
    await tap(button, 'Approve');
    expect(deepText(button)).to.contain('You are approving version 3 of Homepage design.');
    await tap(button, 'Confirm approval');
    const requestEvent = await request;
    expect(requestEvent.cancelable).to.equal(true);
    expect(requestEvent.bubbles && requestEvent.composed).to.equal(true);
    expect(requestEvent.detail).to.deep.include({ decision: 'approved', comment: '' });
    expect((await approved).detail.approval.decision?.decision).to.equal('approved');
    expect(sent).to.deep.equal([{ decision: 'approved' }]);
    await settle(button);
    expect(deepText(button)).to.match(/Approved by Maya Okafor on/);
    expect(announced(button)).to.contain('Approved. Thank you, your decision is recorded.');
    expect(deepQuery(button, 'button')).to.equal(null);
  });

  it('sends the optional comment with an approval', async () => {
    const button = await render();
    await tap(button, 'Approve');
    const field = deepQuery<HTMLTextAreaElement>(button, 'textarea')!;
    field.value = '  Looks great  ';
    field.dispatchEvent(new Event('input'));
    await tap(button, 'Confirm approval');
    await until(button, () => sent.length === 1, 'the decision');
    expect(sent[0]).to.deep.equal({ decision: 'approved', comment: 'Looks great' });
  });

  it('asks what should change before it requests changes', async () => {
    const button = await render();
    await tap(button, 'Request changes');
    const field = deepQuery<HTMLTextAreaElement>(button, 'textarea')!;
    expect(field.required).to.equal(true);
    await tap(button, 'Send request');
    expect(sent).to.deep.equal([]);
    expect(deepText(button)).to.contain('Please say what should change.');
    expect(field.getAttribute('aria-invalid')).to.equal('true');
    field.value = 'Use the darker green';
    field.dispatchEvent(new Event('input'));
    await tap(button, 'Send request');
    await until(button, () => deepText(button).includes('Changes requested by'), 'the decision');
    expect(sent).to.deep.equal([{ decision: 'changes_requested', comment: 'Use the darker green' }]);
    expect(deepText(button)).to.contain('Use the darker green');
  });

  it('lets the page veto the decision through porch-approve-request', async () => {
    const button = await render();
    button.addEventListener('porch-approve-request', (e) => e.preventDefault(), { once: true });
    await tap(button, 'Approve');
    await tap(button, 'Confirm approval');
    expect(sent).to.deep.equal([]);
    expect(buttonNamed(button, 'Confirm approval')).to.exist;
  });

  it('fires porch-error and keeps the choice open when the decision fails', async () => {
    const button = await render(() => Response.json({ error: { code: 'internal', message: 'boom' } }, { status: 500 }));
    const failed = oneEvent(button, 'porch-error');
    await tap(button, 'Approve');
    await tap(button, 'Confirm approval');
    expect((await failed).detail.error.code).to.equal('internal');
    await settle(button);
    expect(deepText(button)).to.contain('Something went wrong on our side. Please try again.');
    expect(buttonNamed(button, 'Confirm approval')).to.exist;
  });

  it('shows the decision someone else made first (409 already_decided)', async () => {
    const button = await render(() => Response.json({ error: { code: 'already_decided', message: 'Already decided.' } }, { status: 409 }));
    await tap(button, 'Approve');
    await tap(button, 'Confirm approval');
    await until(button, () => deepText(button).includes('Changes requested by'), 'the other decision');
    expect(deepText(button)).to.contain('Someone else was first');
  });

  it('moves focus to the confirmation, so the keyboard can finish what a tap started', async () => {
    const button = await render();
    await tap(button, 'Approve');
    expect(button.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Confirm approval');
    await tap(button, 'Cancel');
    await tap(button, 'Request changes');
    expect(button.shadowRoot!.activeElement?.localName).to.equal('textarea');
  });

  it('is operable from the keyboard alone', async () => {
    const button = await render();
    buttonNamed(button, 'Approve').focus();
    await sendKeys({ press: 'Enter' });
    await settle(button);
    expect(button.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Confirm approval');
    await sendKeys({ press: 'Enter' });
    await until(button, () => deepText(button).includes('Approved by Maya Okafor'), 'the decision');
    expect(sent).to.deep.equal([{ decision: 'approved' }]);
  });

  it('is accessible, before and during confirmation', async () => {
    const button = await render();
    await expect(button).to.be.accessible();
    await tap(button, 'Request changes');
    await expect(button).to.be.accessible();
  });
});
