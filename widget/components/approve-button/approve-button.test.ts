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
  focused,
  isVisible,
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

  it('shows the decision someone else made first (409 already_decided), and says the client’s was not sent', async () => {
    const button = await render(() => Response.json({ error: { code: 'already_decided', message: 'Already decided.' } }, { status: 409 }));
    await tap(button, 'Approve');
    await tap(button, 'Confirm approval');
    await until(button, () => deepText(button).includes('Changes requested by'), 'the other decision');
    expect(deepText(button)).to.contain('Someone else was first');
    const notice = deepQuery(button, '.notice')!;
    expect(isVisible(notice)).to.equal(true);
    expect(notice.textContent).to.equal('Your decision was not sent: this was already decided.');
    expect(announced(button)).to.contain('Your decision was not sent');
    expect(focused()?.getAttribute('part')).to.equal('decision');
  });

  it('keeps one live region through every step, so the outcome is announced', async () => {
    const button = await render();
    const region = button.shadowRoot!.querySelector('[role=status]');
    await tap(button, 'Approve');
    expect(button.shadowRoot!.querySelector('[role=status]') === region, 'the same live region').to.equal(true);
    await tap(button, 'Confirm approval');
    await until(button, () => deepText(button).includes('Approved by'), 'the decision');
    expect(button.shadowRoot!.querySelectorAll('[role=status]')).to.have.length(1);
    expect(button.shadowRoot!.querySelector('[role=status]') === region, 'the same live region').to.equal(true);
    expect(region!.textContent).to.contain('Approved. Thank you, your decision is recorded.');
  });

  it('keeps its base part on one element in every state', async () => {
    const button = await render();
    const base = deepQuery(button, '[part=base]');
    await tap(button, 'Approve');
    expect(deepQuery(button, '[part=base]') === base, 'the same base element').to.equal(true);
    await tap(button, 'Confirm approval');
    await until(button, () => deepText(button).includes('Approved by'), 'the decision');
    expect(deepQuery(button, '[part=base]') === base, 'the same base element').to.equal(true);
  });

  it('never drops focus to the page: to the decision after confirming, back to the choice after Cancel', async () => {
    const button = await render();
    await tap(button, 'Request changes');
    await tap(button, 'Cancel');
    expect(focused()?.textContent?.trim()).to.match(/^Request changes/);
    await tap(button, 'Approve');
    await tap(button, 'Cancel');
    expect(focused()?.textContent?.trim()).to.match(/^Approve/);
    await tap(button, 'Approve');
    await tap(button, 'Confirm approval');
    await until(button, () => deepText(button).includes('Approved by'), 'the decision');
    expect(focused()?.getAttribute('part')).to.equal('decision');
    expect(focused()?.textContent).to.match(/Approved by Maya Okafor/);
  });

  it('says when a newer version is out, and still lets the client decide', async () => {
    stubFetch({
      'GET /v1/portal': () => ({ ...portalFixture(), approvals: [{ ...pendingApproval, superseded: true }] }),
      'POST /v1/approvals/appr-1/decision': () => decided('approved', null),
    });
    const portal = await mount<PorchPortal>(
      html`<porch-portal api=${API} token="t"><porch-approve-button approval-id="appr-1"></porch-approve-button></porch-portal>`,
    );
    const button = portal.querySelector('porch-approve-button')!;
    expect(deepText(button)).to.contain('A newer version is out. You can still decide on version 3.');
    await tap(button, 'Approve');
    await tap(button, 'Confirm approval');
    await until(button, () => deepText(button).includes('Approved by'), 'the decision');
  });

  it('shows a withdrawn request without buttons', async () => {
    stubFetch({ 'GET /v1/portal': () => ({ ...portalFixture(), approvals: [{ ...pendingApproval, status: 'withdrawn' as const }] }) });
    const portal = await mount<PorchPortal>(
      html`<porch-portal api=${API} token="t"><porch-approve-button approval-id="appr-1"></porch-approve-button></porch-portal>`,
    );
    const button = portal.querySelector('porch-approve-button')!;
    expect(deepText(button)).to.contain('Withdrawn: this request no longer needs a decision.');
    expect(deepQuery(button, 'button')).to.equal(null);
  });

  it('says what it needs outside a portal, instead of loading forever', async () => {
    const warnings: string[] = [];
    const { warn } = console;
    console.warn = (message: string) => warnings.push(message);
    const button = document.createElement('porch-approve-button');
    button.approvalId = 'appr-1';
    try {
      document.body.append(button);
      await settle(button);
      expect(deepText(button)).to.contain('Place this inside a <porch-portal> element to show it.');
      expect(deepQuery(button, '.skeleton')).to.equal(null);
      expect(warnings.join(' ')).to.contain('<porch-approve-button> shows nothing outside <porch-portal>');
    } finally {
      console.warn = warn;
      button.remove();
    }
  });

  it('says so when the client has no approval with its id, instead of loading forever', async () => {
    const warnings: string[] = [];
    const { warn } = console;
    console.warn = (message: string) => warnings.push(message);
    try {
      stubFetch({ 'GET /v1/portal': () => portalFixture() });
      const portal = await mount<PorchPortal>(
        html`<porch-portal api=${API} token="t"><porch-approve-button approval-id="appr-unknown"></porch-approve-button></porch-portal>`,
      );
      const button = portal.querySelector('porch-approve-button')!;
      await until(button, () => deepText(button).includes('This approval is no longer available.'), 'the note');
      expect(deepQuery(button, '.skeleton')).to.equal(null);
      expect(warnings.join(' ')).to.contain('<porch-approve-button approval-id="appr-unknown">: the signed-in client has no approval with this id.');
    } finally {
      console.warn = warn;
    }
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
