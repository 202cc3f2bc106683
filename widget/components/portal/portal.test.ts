import { expect, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { PorchPortal } from '../../porch.ts';
import {
  API,
  buttonNamed,
  deepQuery,
  deepQueryAll,
  deepText,
  followLink,
  mount,
  portalFixture,
  settle,
  stubFetch,
  until,
  type FetchStub,
} from '../../test/helpers.ts';
import { inkOn } from './portal.ts';

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

  it('shows skeletons while loading, accessibly', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => new Promise(() => {}) });
    const portal = document.createElement('porch-portal');
    portal.api = API;
    portal.token = 't';
    document.body.append(portal);
    try {
      await until(portal, () => deepQueryAll(portal, '.skeleton').length >= 3, 'skeletons');
      expect(deepQueryAll(portal, 'section[aria-busy=true]')).to.have.length(3);
      expect(deepText(portal)).to.contain('Project status').and.contain('Documents').and.contain('Invoices');
      await expect(portal).to.be.accessible();
    } finally {
      portal.remove();
    }
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
    expect(portal.style.getPropertyValue('--porch-brand')).to.equal('#2f6f5e');
    const approve = buttonNamed(portal, 'Approve');
    expect(getComputedStyle(approve).backgroundColor).to.equal('rgb(47, 111, 94)');
    expect(getComputedStyle(approve).color).to.equal('rgb(255, 255, 255)');
    expect(inkOn('#ffd60a')).to.equal('#000');
    expect(inkOn('#1d4ed8')).to.equal('#fff');
  });

  it('lets the page override the accent', async () => {
    stub = stubFetch({ 'GET /v1/portal': () => portalFixture() });
    const portal = await mount<PorchPortal>(html`<porch-portal style="--porch-accent: #7c2d12" api=${API} token="t"></porch-portal>`);
    expect(getComputedStyle(buttonNamed(portal, 'Approve')).backgroundColor).to.equal('rgb(124, 45, 18)');
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
