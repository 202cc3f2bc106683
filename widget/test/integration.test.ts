/**
 * The widget against a real Porch server on a real database (see live.ts): no stubbed fetch.
 * On a phone-sized viewport, as the client meets it.
 */
import { expect, html, oneEvent } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { Approval } from '../../server/types.ts';
import type { PorchPortal } from '../porch.ts';
import {
  buttonNamed,
  captureDownloads,
  deepQuery,
  deepQueryAll,
  deepText,
  focused,
  followLink,
  isVisible,
  mount,
  settle,
  until,
  type DownloadCapture,
} from './helpers.ts';
import { agencyApi, clientSession, liveEnv, newClient, tokenUrl } from './live.ts';

async function portalFor(externalId: string, inside = html``) {
  const { api } = await liveEnv();
  return mount<PorchPortal>(html`<porch-portal api=${api} token-url=${tokenUrl(externalId)}>${inside}</porch-portal>`);
}

/** What the seed's "mobile first" asks: no sideways scrolling, 44 px targets, 16 px text. */
function expectPhoneFriendly(root: Element) {
  expect(document.documentElement.scrollWidth, 'page width').to.be.at.most(window.innerWidth);
  for (const target of deepQueryAll(root, 'button, a, input, select, textarea')) {
    const { width, height } = target.getBoundingClientRect();
    if (width === 0 && height === 0) continue; // not shown (a closed list)
    expect(Math.min(width, height), `size of "${target.textContent?.trim()}"`).to.be.at.least(44);
  }
  for (const el of deepQueryAll(root, '*')) {
    const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
    if (hasText && el.getBoundingClientRect().width > 1) {
      expect(parseFloat(getComputedStyle(el).fontSize), `text size of "${el.textContent?.trim()}"`).to.be.at.least(16);
    }
  }
}

const sections = (portal: PorchPortal) => [...portal.shadowRoot!.querySelectorAll('.layout > *')].map((el) => el.localName);

describe('the widget against a real Porch server', () => {
  let downloads: DownloadCapture;
  before(() => setViewport({ width: 375, height: 667 }));
  beforeEach(() => (downloads = captureDownloads()));

  it("shows the demo client's phase, documents, approvals and invoices, phone-friendly and accessible", async () => {
    const portal = await portalFor('demo-client-1');
    const text = deepText(portal);
    expect(text).to.contain('Hi Maya').and.contain('Phase 2 of 4: Design Review');
    expect(deepQueryAll(deepQuery(portal, 'porch-documents')!, 'li[part=row]').length).to.be.at.least(2);
    expect(text).to.contain('Homepage design').and.contain('Approve the homepage design');
    expect(buttonNamed(deepQuery(portal, 'porch-approvals')!, 'Approve')).to.exist;
    const badges = deepQueryAll(portal, 'porch-invoices').map((part) => deepQueryAll(part, '[part=badge]').map((b) => b.textContent));
    // Unpaid invoices under "To pay", the rest under "Paid invoices": none twice.
    expect(badges).to.deep.equal([['Overdue', 'Open'], ['Paid']]);
    expectPhoneFriendly(portal);
    await expect(portal).to.be.accessible();
  });

  it('downloads the latest version of a document in one tap, with its exact bytes', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    const documents = deepQuery(portal, 'porch-documents')!;
    expect(deepQuery(documents, '.badge.new')).to.exist;
    buttonNamed(documents, 'Download').click(); // tap 1
    await until(portal, () => downloads.files.length === 1, 'the download');
    expect(downloads.files[0].filename).to.equal('style-guide-v2.txt');
    expect(await downloads.files[0].blob.text()).to.equal('second draft');
    await settle(portal);
    expect(deepQuery(documents, '.badge.new'), 'the "new" mark after opening it').to.equal(null);
    // The API recorded the view: a fresh visit does not mark it new either.
    portal.remove();
    const again = await portalFor(client.externalId);
    expect(deepText(deepQuery(again, 'porch-documents')!)).to.contain('Style guide').and.not.contain('New');
  });

  it('downloads an older version from the history in two taps', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    buttonNamed(portal, 'History').click(); // tap 1
    await until(portal, () => deepQuery(portal, '.history ol'), 'the history');
    const history = deepText(deepQuery(portal, '.history')!);
    expect(history).to.match(/Version 2.*Colours agreed.*Version 1.*First draft/);
    buttonNamed(portal, 'Download v1').click(); // tap 2
    await until(portal, () => downloads.files.length === 1, 'the download');
    expect(await downloads.files[0].blob.text()).to.equal('first draft');
    expectPhoneFriendly(portal);
  });

  it('records an approval in two taps; the agency sees who decided', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    const approvals = deepQuery(portal, 'porch-approvals')!;
    const approved = oneEvent(portal, 'porch-approved');
    buttonNamed(approvals, 'Approve').click(); // tap 1
    await settle(portal);
    buttonNamed(approvals, 'Confirm approval').click(); // tap 2
    expect((await approved).detail.approval.status).to.equal('approved');
    await until(portal, () => deepText(approvals).includes('Approved by Ada Lovelace'), 'the decision');
    expect(focused()?.getAttribute('part'), 'focus on the outcome').to.equal('decision');
    expect(deepQuery(portal, 'porch-approvals') === approvals, 'the same section, where it was').to.equal(true);
    const recorded = await agencyApi<Approval>('GET', `/v1/agency/approvals/${client.approvalId}`);
    expect(recorded.status).to.equal('approved');
    expect(recorded.decision?.actor_name).to.equal('Ada Lovelace');
    // No longer a next action: a fresh visit leads with the invoice due, then the status.
    portal.remove();
    const again = await portalFor(client.externalId);
    expect(sections(again).slice(0, 2)).to.deep.equal(['porch-invoices', 'porch-status']);
  });

  it('requests changes with a comment', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    buttonNamed(portal, 'Request changes').click();
    await settle(portal);
    const field = deepQuery<HTMLTextAreaElement>(portal, 'textarea')!;
    field.value = 'Darker green, please';
    field.dispatchEvent(new Event('input'));
    buttonNamed(portal, 'Send request').click();
    await until(portal, () => deepText(portal).includes('Changes requested by Ada Lovelace'), 'the decision');
    const recorded = await agencyApi<Approval>('GET', `/v1/agency/approvals/${client.approvalId}`);
    expect(recorded.status).to.equal('changes_requested');
    expect(recorded.decision?.comment).to.equal('Darker green, please');
  });

  it('shows the decision made on another device first (409) instead of recording a second', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    const { api } = await liveEnv();
    const phone = await clientSession(client.externalId);
    const elsewhere = await fetch(`${api}/v1/approvals/${client.approvalId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${phone}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'changes_requested', comment: 'Decided on my phone' }),
    });
    expect(elsewhere.status).to.equal(200);
    const failed = oneEvent(portal, 'porch-error');
    buttonNamed(portal, 'Approve').click();
    await settle(portal);
    buttonNamed(portal, 'Confirm approval').click();
    expect((await failed).detail.error.code).to.equal('already_decided');
    await until(portal, () => deepText(portal).includes('Decided on my phone'), 'the earlier decision');
    expect(deepText(portal)).to.contain('Changes requested by Ada Lovelace');
    const notice = deepQuery(portal, '.notice')!;
    expect(isVisible(notice)).to.equal(true);
    expect(notice.textContent).to.equal('Your decision was not sent: this was already decided.');
    expect((await agencyApi<Approval>('GET', `/v1/agency/approvals/${client.approvalId}`)).status).to.equal('changes_requested');
  });

  it('opens an approval from an email link with its approve button first on screen', async () => {
    const client = await newClient();
    followLink(`#porch/approval/${client.approvalId}`);
    const portal = await portalFor(client.externalId);
    expect(sections(portal)[0]).to.equal('porch-approvals');
    const approve = buttonNamed(deepQuery(portal, 'porch-approvals')!, 'Approve');
    const { top, bottom } = approve.getBoundingClientRect();
    expect(top).to.be.at.least(0);
    expect(bottom).to.be.at.most(window.innerHeight);
  });

  it('opens an approval decided already from an email link, with who decided and when', async () => {
    const client = await newClient();
    const phone = await clientSession(client.externalId);
    const { api } = await liveEnv();
    await fetch(`${api}/v1/approvals/${client.approvalId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${phone}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approved' }),
    });
    followLink(`#porch/approval/${client.approvalId}`);
    const portal = await portalFor(client.externalId);
    expect(sections(portal)[0]).to.equal('porch-approvals');
    await until(portal, () => deepText(deepQuery(portal, 'porch-approvals')!).includes('Approved by Ada Lovelace'), 'the decision');
  });

  it('opens a document from an email link with its history', async () => {
    const client = await newClient();
    followLink(`#porch/document/${client.documentId}`);
    const portal = await portalFor(client.externalId);
    expect(sections(portal)[0]).to.equal('porch-documents');
    await until(portal, () => deepQuery(portal, '.history ol'), 'the history');
  });

  it('opens an invoice from an email link: once, in "To pay", focused', async () => {
    const client = await newClient();
    followLink(`#porch/invoice/${client.overdueInvoiceId}`);
    const portal = await portalFor(client.externalId);
    const due = deepQuery(portal, 'porch-invoices[due]')!;
    expect(sections(portal)[0]).to.equal('porch-invoices');
    expect(portal.shadowRoot!.querySelector('.layout > *') === due, '"To pay" first').to.equal(true);
    expect(deepQueryAll(portal, `li[data-id="${client.overdueInvoiceId}"]`), 'listed once').to.have.length(1);
    expect(deepQueryAll(portal, 'a[part=pay]'), 'a pay link for each unpaid invoice, once').to.have.length(2);
    await until(portal, () => (focused() as HTMLElement | null)?.dataset.id === client.overdueInvoiceId, 'focus on the invoice');
    expectPhoneFriendly(portal);
  });

  it('says when an approve button’s approval does not exist for this client', async () => {
    const client = await newClient();
    const portal = await portalFor(
      client.externalId,
      html`<porch-approve-button approval-id="00000000-0000-4000-8000-000000000000"></porch-approve-button>`,
    );
    const button = portal.querySelector('porch-approve-button')!;
    await until(portal, () => deepText(button).includes('This approval is no longer available.'), 'the note');
    expect(deepQuery(button, '.skeleton')).to.equal(null);
  });

  it('asks the visitor to sign in to the agency’s site when its token-url refuses (401)', async () => {
    const { api } = await liveEnv();
    const failed = oneEvent(document, 'porch-error');
    const portal = await mount<PorchPortal>(html`<porch-portal api=${api} token-url="/__porch/token?signed-out=1"></porch-portal>`);
    expect((await failed).detail.error).to.include({ code: 'token_unavailable', status: 401 });
    expect(deepQuery(portal, '[role=alert]')!.textContent).to.contain(`Sign in to ${location.hostname} to see your portal.`);
  });

  it('downloads an invoice PDF and links to its payment', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    const due = deepQuery(portal, 'porch-invoices[due]')!;
    const overdue = deepQuery(due, `li[data-id="${client.overdueInvoiceId}"]`)!;
    expect(deepText(overdue)).to.contain('Overdue');
    expect(deepQuery<HTMLAnchorElement>(overdue, 'a[part=pay]')!.href).to.equal('https://pay.example/2');
    buttonNamed(overdue, 'PDF').click();
    await until(portal, () => downloads.files.length === 1, 'the PDF');
    expect(downloads.files[0].filename).to.equal(`invoice-${client.externalId}-2.pdf`);
    expect((await downloads.files[0].blob.text()).startsWith('%PDF')).to.equal(true);
  });

  it('renders only the parts a page lays out itself, in its locale', async () => {
    const client = await newClient();
    const { api } = await liveEnv();
    const portal = await mount<PorchPortal>(
      html`<porch-portal api=${api} token-url=${tokenUrl(client.externalId)} locale="de-DE"><porch-invoices></porch-invoices></porch-portal>`,
    );
    const text = deepText(portal);
    // 2 × 600.00 € plus 20 % tax.
    expect(text).to.contain('1.440,00 €');
    expect(text).to.not.contain('Documents').and.not.contain('Phase 2');
    expect(deepQueryAll(portal, 'li[part=row]')).to.have.length(3);
  });

  it('says what will appear for a client with nothing yet', async () => {
    const client = await newClient({ empty: true });
    const portal = await portalFor(client.externalId);
    expect(sections(portal)).to.deep.equal(['porch-status', 'porch-documents', 'porch-invoices']);
    const text = deepText(portal);
    expect(text).to.contain('Your project’s progress will appear here once work begins.');
    expect(text).to.contain('Documents Northwind Studio shares with you will appear here');
    expect(text).to.contain('Your first invoice will appear here.');
    await expect(portal).to.be.accessible();
  });

  it('signs in again through token-url when the session ends, and carries on', async () => {
    const client = await newClient();
    const { api } = await liveEnv();
    const original = window.fetch;
    const bearers = new Set<string>();
    let tokens = 0;
    window.fetch = (input, init) => {
      if (String(input).includes('/__porch/token')) tokens++;
      const bearer = new Headers(init?.headers).get('authorization');
      if (bearer) bearers.add(bearer);
      return original(input, init);
    };
    try {
      const portal = await portalFor(client.externalId);
      expect(tokens).to.equal(1);
      // The session ends (signed out elsewhere, or expired): the API now answers session_expired.
      const signOut = await original(`${api}/v1/session`, { method: 'DELETE', headers: { authorization: [...bearers][0] } });
      expect(signOut.status).to.equal(204);
      buttonNamed(portal, 'History').click();
      await until(portal, () => deepQuery(portal, '.history ol'), 'the history after signing in again');
      expect(tokens).to.equal(2);
      expect(bearers.size).to.equal(2);
    } finally {
      window.fetch = original;
    }
  });

  it('is accessible with a decision open, on the real data', async () => {
    const client = await newClient();
    const portal = await portalFor(client.externalId);
    buttonNamed(portal, 'Request changes').click();
    buttonNamed(portal, 'History').click();
    await until(portal, () => deepQuery(portal, '.history ol') && deepQuery(portal, 'textarea'), 'the open parts');
    await expect(portal).to.be.accessible();
  });

  it('explains a refused token with a way to retry', async () => {
    const { api } = await liveEnv();
    const portal = await mount<PorchPortal>(html`<porch-portal api=${api} token="not-a-jwt"></porch-portal>`);
    expect(deepQuery(portal, '[role=alert]')!.textContent).to.contain('Your sign-in expired. Try again, or reload the page.');
    expect(buttonNamed(portal, 'Try again')).to.exist;
  });
});
