import { expect, html, oneEvent } from '@open-wc/testing';
import type { PorchInvoices, PorchPortal } from '../../porch.ts';
import {
  API,
  buttonNamed,
  captureDownloads,
  deepQuery,
  deepQueryAll,
  deepText,
  isVisible,
  mount,
  portalFixture,
  stubFetch,
  until,
  type DownloadCapture,
} from '../../test/helpers.ts';

describe('<porch-invoices>', () => {
  let downloads: DownloadCapture;
  beforeEach(() => (downloads = captureDownloads()));

  async function render(data = portalFixture(), markup = html`<porch-invoices></porch-invoices>`, locale = 'en-US') {
    stubFetch({
      'GET /v1/portal': () => data,
      'GET /v1/invoices/inv-2/pdf': () => new Response('%PDF-1.7', { headers: { 'content-type': 'application/pdf' } }),
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t" locale=${locale}>${markup}</porch-portal>`);
    return portal.querySelector('porch-invoices')!;
  }

  const rows = (el: PorchInvoices) => deepQueryAll(el, 'li[part=row]');

  it('lists every invoice with number, dates, amount and a status badge', async () => {
    const invoices = await render();
    const [open, overdue, paid] = rows(invoices);
    expect(deepText(open)).to.contain('Invoice NW-003').and.contain('$1,250.50').and.contain('Issued Feb 1, 2025 · due Mar 1, 2025');
    expect(deepQuery(open, '[part=badge]')!.textContent).to.equal('Open');
    expect(deepQuery(overdue, '[part=badge]')!.textContent).to.equal('Overdue');
    expect(deepText(paid)).to.contain('$999.00').and.contain('paid Feb 15, 2025');
    expect(deepQuery(paid, '[part=badge]')!.textContent).to.equal('Paid');
  });

  it('formats money for the invoice currency in the client locale', async () => {
    const data = portalFixture();
    data.invoices[0] = { ...data.invoices[0], currency: 'EUR', total_minor: 125050 };
    data.invoices[1] = { ...data.invoices[1], currency: 'JPY', total_minor: 125050 };
    const invoices = await render(data, html`<porch-invoices></porch-invoices>`, 'de-DE');
    const [eur, jpy] = rows(invoices);
    expect(deepText(eur)).to.contain('1.250,50 €');
    expect(deepText(jpy)).to.contain('125.050 ¥');
  });

  it('offers a pay link only while an invoice is unpaid', async () => {
    const invoices = await render();
    const [open, overdue, paid] = rows(invoices);
    expect(deepQuery<HTMLAnchorElement>(open, 'a[part=pay]')!.href).to.equal('https://pay.example/NW-003');
    expect(deepQuery(overdue, 'a[part=pay]')).to.exist;
    expect(deepQuery(paid, 'a[part=pay]')).to.equal(null);
  });

  it('downloads the PDF', async () => {
    const invoices = await render();
    const event = oneEvent(invoices, 'porch-download');
    buttonNamed(rows(invoices)[1], 'PDF').click();
    expect((await event).detail).to.deep.equal({ kind: 'invoice', id: 'inv-2', filename: 'invoice-NW-002.pdf' });
    expect(downloads.files.map((f) => f.filename)).to.deep.equal(['invoice-NW-002.pdf']);
    expect(await downloads.files[0].blob.text()).to.equal('%PDF-1.7');
  });

  it('with `due`, shows only what is still to pay, overdue first', async () => {
    const invoices = await render(portalFixture(), html`<porch-invoices due></porch-invoices>`);
    expect(deepQuery(invoices, 'h2')!.textContent).to.equal('To pay');
    expect(rows(invoices).map((r) => r.dataset.id)).to.deep.equal(['inv-2', 'inv-3']);
  });

  it('with `paid`, shows only paid invoices', async () => {
    const invoices = await render(portalFixture(), html`<porch-invoices paid></porch-invoices>`);
    expect(deepQuery(invoices, 'h2')!.textContent).to.equal('Paid invoices');
    expect(rows(invoices).map((r) => r.dataset.id)).to.deep.equal(['inv-1']);
  });

  it('shows a failed PDF download beside its invoice, with a retry', async () => {
    const invoices = await render();
    buttonNamed(rows(invoices)[0], 'PDF').click(); // inv-3's PDF is not stubbed: 404
    await until(invoices, () => deepQuery(rows(invoices)[0], '[role=alert]'), 'the failure');
    const alert = deepQuery(rows(invoices)[0], '[role=alert]')!;
    expect(isVisible(alert)).to.equal(true);
    expect(alert.textContent).to.contain('This item is no longer available.');
    expect(downloads.files).to.have.length(0);
  });

  it('says where the first invoice will appear', async () => {
    const invoices = await render({ ...portalFixture(), invoices: [], next_actions: [] });
    expect(deepText(invoices)).to.contain('Your first invoice will appear here.');
  });

  it('is accessible', async () => {
    const invoices = await render();
    await expect(invoices).to.be.accessible();
  });
});
