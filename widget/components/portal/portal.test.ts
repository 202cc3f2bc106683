import { expect, html, oneEvent } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import type { PorchPortal } from '../../porch.ts';
import {
  API,
  buttonNamed,
  deepQuery,
  deepQueryAll,
  deepText,
  focused,
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
import { inkOn } from '../../shared/theme.ts';

const sections = (portal: PorchPortal) =>
  [...portal.shadowRoot!.querySelectorAll('.layout > *')].map((el) => el.localName + (el.hasAttribute('due') ? '[due]' : ''));

describe('<porch-portal>', () => {
  let stub: FetchStub;

  it('lays out the next action first, then status, documents and invoices', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    // The fixture's most urgent action is an overdue invoice, then an approval.
    expect(sections(portal)).to.deep.equal(['porch-invoices[due]', 'porch-approvals', 'porch-status', 'porch-documents', 'porch-invoices']);
    expect(deepText(deepQuery(portal, '[part=greeting]')!)).to.equal('Hi Maya, here is where things stand.');
    expect(stub.calls.filter((c) => c === 'GET /v1/portal')).to.have.length(1);
  });

  it('signs in by exchanging the token, then sends the session as a bearer', async () => {
    const seen: { token?: string; bearer?: string | null } = {};
    stub = stubFetch({
      'POST /v1/session': async (request) => {
        seen.token = (await request.json()).token;
        return { session: 'ps_from_the_token_123', expires_at: new Date(Date.now() + 3600_000).toISOString() };
      },
      'GET /v1/portal': (request) => {
        seen.bearer = request.headers.get('authorization');
        return portalFixture();
      },
    });
    await mount(html`<porch-portal api=${API} token="embed.jwt.token"></porch-portal>`);
    expect(seen).to.deep.equal({ token: 'embed.jwt.token', bearer: 'Bearer ps_from_the_token_123' });
  });

  /** A portal whose first load never answers, once its skeletons are up. */
  async function mountLoadingPortal() {
    stub = stubFetch({ 'GET /v1/portal': () => new Promise(() => {}) });
    const portal = document.createElement('porch-portal');
    portal.api = API;
    portal.token = 't';
    document.body.append(portal);
    try {
      await until(portal, () => deepQueryAll(portal, '.skeleton').length >= 3, 'skeletons');
    } catch (err) {
      portal.remove();
      throw err;
    }
    return portal;
  }

  it('shows skeletons while loading, accessibly', async () => {
    const portal = await mountLoadingPortal();
    try {
      expect(deepQueryAll(portal, 'section[aria-busy=true]')).to.have.length(3);
      expect(deepText(portal)).to.contain('Project status').and.contain('Documents').and.contain('Invoices');
      await expect(portal).to.be.accessible();
    } finally {
      portal.remove();
    }
  });

  it('keeps room for the next action and the greeting while loading, so the page does not jump', async () => {
    const portal = await mountLoadingPortal();
    try {
      const layout = [...portal.shadowRoot!.querySelectorAll('.layout > *')];
      expect(layout.map((el) => el.localName)).to.deep.equal(['div', 'porch-status', 'porch-documents', 'porch-invoices']);
      expect(layout[0].getAttribute('aria-label')).to.equal('Loading');
      expect(layout[0].getBoundingClientRect().height).to.be.at.least(100);
      expect(deepQuery(portal, '[part=greeting] .skeleton')).to.exist;
    } finally {
      portal.remove();
    }
  });

  it('keeps its default layout when a CMS wraps the embed in empty paragraphs and line breaks', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t">
      <p></p>
      <br />
    </porch-portal>`);
    expect(sections(portal)).to.deep.equal(['porch-invoices[due]', 'porch-approvals', 'porch-status', 'porch-documents', 'porch-invoices']);
    expect(deepText(portal)).to.contain('Phase 2 of 4: Design Review');
  });

  it('keeps every section in place, and the same elements, when the client decides', async () => {
    const data = portalFixture();
    data.next_actions.reverse(); // the approval first, then the overdue invoice
    stub = stubFetch({
      'GET /v1/portal': () => data,
      'POST /v1/approvals/appr-1/decision': () => ({
        ...pendingApproval,
        status: 'approved',
        decision: { decision: 'approved', comment: null, actor_name: 'Maya Okafor', actor_email: null, decided_at: '2025-03-12T15:30:00.000Z' },
      }),
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    const before = sections(portal);
    expect(before.slice(0, 2)).to.deep.equal(['porch-approvals', 'porch-invoices[due]']);
    const approvals = deepQuery(portal, 'porch-approvals')!;
    buttonNamed(approvals, 'Approve').click();
    await settle(portal);
    buttonNamed(approvals, 'Confirm approval').click();
    await until(portal, () => deepText(approvals).includes('Approved by Maya Okafor'), 'the decision');
    expect(sections(portal)).to.deep.equal(before);
    expect(deepQuery(portal, 'porch-approvals') === approvals, 'the same element, not a new one').to.equal(true);
    expect(focused()?.getAttribute('part')).to.equal('decision');
    expect(deepQuery(approvals, 'porch-approve-button')!.shadowRoot!.querySelector('[role=status]')!.textContent).to.contain(
      'Approved. Thank you, your decision is recorded.',
    );
  });

  it('shows a friendly error with a retry when the network is down', async () => {
    let down = true;
    stub = stubFetch({
      'GET /v1/portal': () => {
        // What fetch does when the network is down.
        if (down) throw new TypeError('Failed to fetch');
        return portalFixture();
      },
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    const alert = deepQuery(portal, '[role=alert]')!;
    expect(alert.textContent).to.contain('We couldn’t reach the portal. Check your connection, then try again.');
    down = false;
    buttonNamed(portal, 'Try again').click();
    await until(portal, () => deepText(portal).includes('Phase 2 of 4: Design Review'), 'the portal after retry');
    // Focus does not fall to the page with the button: it goes to the first section's heading.
    await until(portal, () => focused()?.localName === 'h2', 'focus on a heading');
    expect(focused()!.textContent).to.equal('To pay');
  });

  it('asks the visitor to sign in to the agency’s site when its token-url says they are not (401)', async () => {
    stub = stubFetch({ 'GET /porch-token': () => Response.json({ error: 'signed out' }, { status: 401 }) });
    const failed = oneEvent(document, 'porch-error');
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token-url="/porch-token"></porch-portal>`);
    const { error } = (await failed).detail;
    expect([error.code, error.status]).to.deep.equal(['token_unavailable', 401]);
    const alert = deepQuery(portal, '[role=alert]')!;
    expect(isVisible(alert)).to.equal(true);
    expect(alert.textContent).to.contain(`Sign in to ${location.hostname} to see your portal.`);
    expect(alert.textContent).to.not.contain('Try again in a moment');
  });

  it('asks the token-url again when the session expires, and retries once', async () => {
    let tokens = 0;
    let portalCalls = 0;
    stub = stubFetch({
      'GET /porch-token': () => ({ token: `token-${++tokens}` }),
      'GET /v1/portal': () =>
        ++portalCalls === 1
          ? Response.json({ error: { code: 'session_expired', message: 'Expired.' } }, { status: 401 })
          : portalFixture(),
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token-url="/porch-token"></porch-portal>`);
    expect(deepText(portal)).to.contain('Phase 2 of 4: Design Review');
    expect(tokens).to.equal(2);
    expect(stub.calls.filter((c) => c === 'POST /v1/session')).to.have.length(2);
  });

  it('says the session ended, with a retry, when signing in again fails too', async () => {
    stub = stubFetch({
      'GET /porch-token': () => new Response('plain.text.token'),
      'GET /v1/portal': () => Response.json({ error: { code: 'session_expired', message: 'Expired.' } }, { status: 401 }),
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token-url="/porch-token"></porch-portal>`);
    expect(deepText(portal)).to.contain('Your session ended. Try again to sign back in.');
    expect(stub.calls.filter((c) => c === 'GET /v1/portal')).to.have.length(2);
  });

  it('opens a deep-linked document first, with its history', async () => {
    followLink('#porch/document/doc-home');
    stub = stubFetch({
      'GET /v1/portal': () => portalFixture(),
      'GET /v1/documents/doc-home': async () => (await import('../../test/helpers.ts')).homepageDetail,
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    expect(sections(portal)[0]).to.equal('porch-documents');
    await until(portal, () => deepQuery(portal, '.history ol'), 'the history');
    expect(deepQuery(portal, 'li[data-focused]')!.dataset.id).to.equal('doc-home');
    await until(portal, () => (focused() as HTMLElement | null)?.dataset.id === 'doc-home', 'focus on the linked row');
  });

  it('opens a deep-linked unpaid invoice in "To pay", the one place it is listed', async () => {
    followLink('#porch/invoice/inv-2');
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    expect(sections(portal)[0]).to.equal('porch-invoices[due]');
    expect(deepQueryAll(portal, 'li[data-focused]').map((row) => row.dataset.id)).to.deep.equal(['inv-2']);
    await until(portal, () => (focused() as HTMLElement | null)?.dataset.id === 'inv-2', 'focus on the linked row');
    // Each invoice once: unpaid ones under "To pay", with their pay links, the rest under "Paid invoices".
    const ids = deepQueryAll(portal, 'li[part=row]')
      .filter((row) => row.dataset.id?.startsWith('inv-'))
      .map((row) => row.dataset.id);
    expect(ids).to.deep.equal(['inv-2', 'inv-3', 'inv-1']);
    expect(deepQueryAll(portal, 'a[part=pay]')).to.have.length(2);
    expect(deepText(portal)).to.contain('Paid invoices');
  });

  it('says so, visibly, when a link points to an invoice that is gone', async () => {
    followLink('#porch/invoice/inv-deleted');
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    const notes = deepQueryAll(portal, '[role=alert]');
    expect(notes.map((n) => n.textContent), 'said once, though two parts list invoices').to.deep.equal([
      'The invoice your link points to is no longer available.',
    ]);
    expect(isVisible(notes[0])).to.equal(true);
  });

  it('follows a deep link that arrives while the page is open', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    followLink('#porch/invoice/inv-1');
    await until(portal, () => sections(portal)[0] === 'porch-invoices', 'the invoices first');
    expect(deepQuery(portal, 'li[data-focused]')!.dataset.id).to.equal('inv-1');
  });

  it('uses the layout the page puts inside it instead of its own', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(
      html`<porch-portal api=${API} token="t"><h3>Billing</h3><porch-invoices></porch-invoices></porch-portal>`,
    );
    expect(portal.shadowRoot!.querySelector('.layout')).to.equal(null);
    expect(deepText(portal)).to.contain('Billing').and.contain('Invoice NW-003').and.not.contain('Documents');
  });

  it('takes the agency brand colour as its accent, with text that reads on it', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    expect(getComputedStyle(portal).getPropertyValue('--porch-brand').trim()).to.equal('#2f6f5e');
    expect(portal.hasAttribute('style'), "the page's own style attribute").to.equal(false);
    const approve = buttonNamed(portal, 'Approve');
    expect(getComputedStyle(approve).backgroundColor).to.equal('rgb(47, 111, 94)');
    expect(getComputedStyle(approve).color).to.equal('rgb(255, 255, 255)');
    expect(inkOn([0xff, 0xd6, 0x0a])).to.equal('#000');
    expect(inkOn([0x1d, 0x4e, 0xd8])).to.equal('#fff');
  });

  it('lets the page override the accent', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal style="--porch-accent: #7c2d12" api=${API} token="t"></porch-portal>`);
    expect(getComputedStyle(buttonNamed(portal, 'Approve')).backgroundColor).to.equal('rgb(124, 45, 18)');
  });

  it('picks black or white text for an accent the page sets, in any CSS colour', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    for (const [accent, ink] of [
      ['#f2b84b', 'rgb(0, 0, 0)'],
      ['oklch(0.9 0.1 100)', 'rgb(0, 0, 0)'],
      ['rebeccapurple', 'rgb(255, 255, 255)'],
    ]) {
      const portal = await mount<PorchPortal>(html`<porch-portal style="--porch-accent: ${accent}" api=${API} token="t"></porch-portal>`);
      expect(getComputedStyle(buttonNamed(portal, 'Approve')).color, `text on ${accent}`).to.equal(ink);
      expect(getComputedStyle(deepQuery(portal, '.badge.new')!).color, `the "New" mark on ${accent}`).to.equal(ink);
      portal.parentElement!.remove();
    }
  });

  it('draws the keyboard focus ring in two tones, so it shows on any page', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    buttonNamed(portal, 'Approve').focus();
    await sendKeys({ press: 'Tab' });
    const ring = getComputedStyle(focused()!);
    expect(ring.outlineColor).to.equal('rgb(47, 111, 94)');
    expect(ring.outlineStyle).to.equal('solid');
    expect(ring.boxShadow).to.match(/^rgb\(255, 255, 255\) 0px 0px 0px 2px/);
  });

  it('a part outside a portal says what it needs', async () => {
    const part = document.createElement('porch-invoices');
    document.body.append(part);
    try {
      await settle(part);
      expect(deepText(part)).to.contain('Place this inside a <porch-portal> element to show it.');
    } finally {
      part.remove();
    }
  });

  it('stops its loading animation for people who ask for reduced motion', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => new Promise(() => {}) });
    await emulateMedia({ reducedMotion: 'reduce' });
    const portal = document.createElement('porch-portal');
    portal.token = 't';
    portal.api = API;
    document.body.append(portal);
    try {
      await until(portal, () => deepQuery(portal, '.skeleton'), 'a skeleton');
      expect(getComputedStyle(deepQuery(portal, '.skeleton')!).animationName).to.equal('none');
    } finally {
      portal.remove();
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it('inherits the colours of a dark page and stays readable on it', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const page = await mount<HTMLElement>(
      html`<div class="dark-page"><porch-portal api=${API} token="t"></porch-portal></div>`,
    );
    page.style.background = '#111418';
    page.style.color = '#eceae4';
    const portal = page.querySelector('porch-portal')!;
    await settle(portal);
    expect(getComputedStyle(deepQuery(portal, 'h2')!).color).to.equal('rgb(236, 234, 228)');
    await expect(page).to.be.accessible();
  });

  it('is accessible', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    await expect(portal).to.be.accessible();
  });

  it('is accessible in its error state', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => Response.json({ error: { code: 'client_revoked', message: 'Revoked.' } }, { status: 401 }) });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"></porch-portal>`);
    expect(deepText(portal)).to.contain('Your access to this portal was turned off.');
    await expect(portal).to.be.accessible();
  });
});
