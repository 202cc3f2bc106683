import { expect, html } from '@open-wc/testing';
import type { PorchPortal } from '../../porch.ts';
import {
  API,
  buttonNamed,
  captureDownloads,
  deepQuery,
  deepQueryAll,
  deepText,
  followLink,
  isVisible,
  mount,
  pendingApproval,
  portalFixture,
  settle,
  stubFetch,
  until,
  type FetchStub,
} from '../../test/helpers.ts';

describe('<porch-approvals>', () => {
  let stub: FetchStub;

  async function render(data = portalFixture()) {
    stub = stubFetch({
      'GET /v1/portal': () => data,
      'GET /v1/documents/doc-home/versions/3/download': () => new Response('v3'),
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"><porch-approvals></porch-approvals></porch-portal>`);
    return portal.querySelector('porch-approvals')!;
  }

  it('shows what waits, with the exact version to review and the buttons to decide', async () => {
    const approvals = await render();
    const text = deepText(approvals);
    expect(text).to.contain('Approve Homepage design v3').and.contain('Please check the new hero.');
    expect(text).to.contain('Homepage design, version 3 (homepage-v3.pdf) · Final copy');
    expect(text).to.match(/Requested by Northwind Studio · please decide by Mar 20, 2025/);
    expect(buttonNamed(approvals, 'Approve')).to.exist;
    expect(buttonNamed(approvals, 'Request changes')).to.exist;
  });

  it('downloads the exact version under review', async () => {
    const downloads = captureDownloads();
    const approvals = await render();
    buttonNamed(approvals, 'Review v3').click();
    await until(approvals, () => downloads.files.length === 1, 'the download');
    expect(downloads.files[0].filename).to.equal('homepage-v3.pdf');
    expect(stub.calls).to.include('GET /v1/documents/doc-home/versions/3/download');
  });

  it('puts a deep-linked approval first', async () => {
    const data = portalFixture();
    const other = { ...pendingApproval, id: 'appr-0', title: 'Approve Logo v1' };
    data.approvals = [other, pendingApproval];
    followLink('#porch/approval/appr-1');
    const approvals = await render(data);
    const rows = deepQueryAll(approvals, 'li[part=row]');
    expect(rows.map((r) => r.dataset.id)).to.deep.equal(['appr-1', 'appr-0']);
    expect(rows[0].hasAttribute('data-focused')).to.equal(true);
  });

  it('loads a deep-linked approval decided already, and shows who decided first', async () => {
    const decided = {
      ...pendingApproval,
      id: 'appr-old',
      title: 'Approve the sitemap',
      status: 'approved' as const,
      decision: { decision: 'approved' as const, comment: 'Go ahead', actor_name: 'Maya Okafor', actor_email: null, decided_at: '2025-02-01T10:00:00.000Z' },
    };
    followLink('#porch/approval/appr-old');
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture(), 'GET /v1/approvals/appr-old': () => decided });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"><porch-approvals></porch-approvals></porch-portal>`);
    const approvals = portal.querySelector('porch-approvals')!;
    await until(approvals, () => deepQueryAll(approvals, 'li[part=row]').length === 2, 'the linked approval');
    const first = deepQueryAll(approvals, 'li[part=row]')[0];
    expect(first.dataset.id).to.equal('appr-old');
    expect(deepText(first)).to.contain('Approve the sitemap').and.match(/Approved by Maya Okafor on/).and.contain('Go ahead');
  });

  it('lists approvals decided lately apart, with who and when, and no buttons', async () => {
    const data = portalFixture();
    data.approvals.push({
      ...pendingApproval,
      id: 'appr-done',
      title: 'Approve the sitemap',
      status: 'changes_requested',
      decision: { decision: 'changes_requested', comment: 'Add a shop page', actor_name: 'Maya Okafor', actor_email: null, decided_at: '2025-02-01T10:00:00.000Z' },
    });
    const approvals = await render(data);
    expect(deepQueryAll(approvals, 'li[part=row]').map((r) => r.dataset.id)).to.deep.equal(['appr-1']);
    const recent = deepQuery(approvals, '[part=decided]')!;
    expect(deepText(approvals)).to.contain('Recently decided');
    expect(deepText(recent)).to.contain('Approve the sitemap').and.match(/Changes requested by Maya Okafor on Feb 1, 2025/);
    expect(deepQueryAll(recent, 'button, porch-approve-button')).to.have.length(0);
  });

  it('shows a failed review download beside its approval, with a retry', async () => {
    stub = stubFetch({
      'GET /v1/portal': () => portalFixture(),
      'GET /v1/documents/doc-home/versions/3/download': () => Response.json({ error: { code: 'internal', message: 'boom' } }, { status: 500 }),
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"><porch-approvals></porch-approvals></porch-portal>`);
    const approvals = portal.querySelector('porch-approvals')!;
    buttonNamed(approvals, 'Review v3').click();
    await until(approvals, () => deepQuery(approvals, 'li[part=row] [role=alert]'), 'the failure');
    const alert = deepQuery(approvals, 'li[part=row] [role=alert]')!;
    expect(isVisible(alert)).to.equal(true);
    expect(alert.textContent).to.contain('Something went wrong on our side. Please try again.');
    expect(buttonNamed(alert, 'Try again')).to.exist;
  });

  it('says so, visibly, when a link points to an approval that is gone', async () => {
    followLink('#porch/approval/appr-deleted');
    const approvals = await render();
    await until(approvals, () => deepText(approvals).includes('no longer available'), 'the note');
    const note = deepQuery(approvals, '[role=alert]')!;
    expect(isVisible(note)).to.equal(true);
    expect(note.textContent).to.equal('The approval your link points to is no longer available.');
    expect(stub.calls).to.include('GET /v1/approvals/appr-deleted');
  });

  it('says what will appear when nothing waits', async () => {
    const approvals = await render({ ...portalFixture(), approvals: [], next_actions: [] });
    expect(deepText(approvals)).to.contain('Nothing needs your approval. When Northwind Studio asks you to sign something off, it will appear here.');
  });

  it('is accessible', async () => {
    const approvals = await render();
    await settle(approvals);
    await expect(approvals).to.be.accessible();
  });
});
