import { expect, html } from '@open-wc/testing';
import type { PorchPortal } from '../../porch.ts';
import { API, deepQuery, deepText, mount, portalFixture, settle, stubFetch } from '../../test/helpers.ts';

describe('<porch-status>', () => {

  async function render(data = portalFixture()) {
    stubFetch({ 'GET /v1/portal': () => data });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"><porch-status></porch-status></porch-portal>`);
    return portal.querySelector('porch-status')!;
  }

  it('says which phase the project is in, as text and as a progressbar', async () => {
    const status = await render();
    expect(deepText(status)).to.contain('Phase 2 of 4: Design Review');
    const bar = deepQuery(status, '[role=progressbar]')!;
    expect(bar.getAttribute('aria-valuenow')).to.equal('2');
    expect(bar.getAttribute('aria-valuemax')).to.equal('4');
    expect(bar.getAttribute('aria-valuetext')).to.equal('Phase 2 of 4: Design Review');
  });

  it('shows the list of phases one tap away', async () => {
    const status = await render();
    const list = deepQuery(status, '#phases')!;
    const toggle = deepQuery<HTMLButtonElement>(status, 'button[aria-controls=phases]')!;
    expect(list.hidden).to.equal(true);
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await settle(status);
    expect(list.hidden).to.equal(false);
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(deepText(list)).to.match(/Discovery · done.*Design Review · in progress.*Build · to come.*Launch · to come/);
  });

  it('offers a picker when the client has several projects', async () => {
    const data = portalFixture();
    data.projects.push({
      id: 'proj-brand',
      name: 'Brand refresh',
      phases: [{ position: 1, name: 'Research' }, { position: 2, name: 'Identity' }, { position: 3, name: 'Guidelines' }],
      current_phase: 3,
      updated_at: '2025-01-01T00:00:00.000Z',
    });
    const status = await render(data);
    const picker = deepQuery<HTMLSelectElement>(status, 'select')!;
    expect([...picker.options].map((o) => o.text)).to.deep.equal(['Website redesign', 'Brand refresh']);
    picker.value = 'proj-brand';
    picker.dispatchEvent(new Event('change'));
    await settle(status);
    expect(deepText(status)).to.contain('Phase 3 of 3: Guidelines');
  });

  it('keeps the picker’s options readable on a dark page that does not declare color-scheme', async () => {
    const data = portalFixture();
    data.projects.push({ ...data.projects[0], id: 'proj-brand', name: 'Brand refresh' });
    stubFetch({ 'GET /v1/portal': () => data });
    const page = await mount<HTMLElement>(html`<div style="background: #111418; color: #eceae4">
      <porch-portal api=${API} token="t"><porch-status></porch-status></porch-portal>
    </div>`);
    const status = page.querySelector('porch-status')!;
    await settle(status);
    const option = getComputedStyle(deepQuery(status, 'option')!);
    // The browser draws the open list on its canvas colour (white here): the text must be the canvas text colour.
    expect([option.color, option.backgroundColor]).to.deep.equal(['rgb(0, 0, 0)', 'rgb(255, 255, 255)']);
  });

  it('says what will appear before there is a project', async () => {
    const status = await render({ ...portalFixture(), projects: [] });
    expect(deepText(status)).to.contain('Your project’s progress will appear here once work begins.');
  });

  it('says when work has not started', async () => {
    const data = portalFixture();
    data.projects[0].current_phase = null;
    const status = await render(data);
    expect(deepText(status)).to.contain('Not started yet: 4 phases planned');
  });

  it('is accessible', async () => {
    const status = await render();
    await expect(status).to.be.accessible();
  });
});
