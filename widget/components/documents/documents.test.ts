import { expect, html, oneEvent } from '@open-wc/testing';
import type { PorchDocuments, PorchPortal } from '../../porch.ts';
import {
  API,
  buttonNamed,
  captureDownloads,
  deepQuery,
  deepQueryAll,
  deepText,
  followLink,
  gate,
  homepageDetail,
  isVisible,
  mount,
  portalFixture,
  settle,
  stubFetch,
  until,
  type DownloadCapture,
  type FetchStub,
} from '../../test/helpers.ts';

describe('<porch-documents>', () => {
  let stub: FetchStub;
  let downloads: DownloadCapture;
  beforeEach(() => (downloads = captureDownloads()));

  async function render(data = portalFixture(), routes: Parameters<typeof stubFetch>[0] = {}) {
    stub = stubFetch({
      'GET /v1/portal': () => data,
      'GET /v1/documents/doc-home': () => homepageDetail,
      'GET /v1/documents/doc-home/versions/3/download': () => new Response('version three', { headers: { 'content-type': 'application/pdf' } }),
      'GET /v1/documents/doc-home/versions/2/download': () => new Response('version two'),
      ...routes,
    });
    const portal = await mount<PorchPortal>(html`<porch-portal api=${API} token="t"><porch-documents></porch-documents></porch-portal>`);
    return portal.querySelector('porch-documents')!;
  }

  const rows = (el: PorchDocuments) => deepQueryAll(el, 'li[part=row]');

  it('lists the latest version of each document, marking versions not yet opened as new', async () => {
    const docs = await render();
    const [home, brief] = rows(docs);
    expect(deepText(home)).to.contain('Homepage design').and.contain('v3').and.contain('Final copy');
    expect(deepQuery(home, '.badge.new')?.textContent).to.equal('New');
    expect(deepText(brief)).to.contain('Project brief');
    expect(deepQuery(brief, '.badge.new')).to.equal(null);
  });

  it('filters as you type', async () => {
    const docs = await render();
    const search = deepQuery<HTMLInputElement>(docs, 'input[type=search]')!;
    search.value = 'brief';
    search.dispatchEvent(new Event('input'));
    await settle(docs);
    expect(rows(docs).map((r) => r.querySelector('h3')!.textContent!.trim())).to.deep.equal(['Project brief']);
    search.value = 'invoice';
    search.dispatchEvent(new Event('input'));
    await settle(docs);
    expect(rows(docs)).to.have.length(0);
    expect(deepText(docs)).to.contain('No document matches “invoice”.');
    // Every document is on the first screen: no request while typing.
    expect(stub.calls.filter((c) => c.startsWith('GET /v1/documents?'))).to.deep.equal([]);
  });

  it('asks the API when the first screen may not hold every document', async () => {
    const data = portalFixture();
    const [home] = data.documents;
    data.documents = Array.from({ length: 100 }, (_, i) => ({ ...home, id: `doc-${i}`, title: `Weekly report ${i}` }));
    const archived = { ...home, id: 'doc-old', title: 'Archived contract' };
    const docs = await render(data, { 'GET /v1/documents': () => [archived] });
    const search = deepQuery<HTMLInputElement>(docs, 'input[type=search]')!;
    search.value = 'contract';
    search.dispatchEvent(new Event('input'));
    await until(docs, () => rows(docs).length === 1, 'the search answer');
    expect(stub.calls).to.include('GET /v1/documents?q=contract');
    expect(rows(docs)[0].dataset.id).to.equal('doc-old');
  });

  it('downloads the latest version in one tap and drops its "new" mark', async () => {
    const docs = await render();
    const event = oneEvent(docs, 'porch-download');
    buttonNamed(docs, 'Download').click();
    expect((await event).detail).to.deep.equal({ kind: 'document', id: 'doc-home', version: 3, filename: 'homepage-v3.pdf' });
    expect(downloads.files.map((f) => f.filename)).to.deep.equal(['homepage-v3.pdf']);
    expect(await downloads.files[0].blob.text()).to.equal('version three');
    expect(stub.calls.find((c) => c.includes('/download'))).to.equal('GET /v1/documents/doc-home/versions/3/download');
    await settle(docs);
    expect(deepQuery(rows(docs)[0], '.badge.new')).to.equal(null);
  });

  it('shows the version history one tap away, and downloads an older version from it', async () => {
    const docs = await render();
    const toggle = buttonNamed(docs, 'History');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    toggle.click();
    await until(docs, () => deepQuery(docs, '.history ol'), 'the history');
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    const history = deepText(deepQuery(docs, '.history')!);
    expect(history).to.contain('Version 3').and.contain('Version 2').and.contain('Bigger hero').and.contain('Version 1');
    buttonNamed(docs, 'Download v2').click();
    await until(docs, () => downloads.files.length === 1, 'the download');
    expect(downloads.files[0].filename).to.equal('homepage-v2.pdf');
    toggle.click();
    await settle(docs);
    expect(deepQuery(docs, '.history')).to.equal(null);
  });

  it('tells the client when a download fails, visibly beside the row, with a retry, and fires porch-error', async () => {
    let down = true;
    const docs = await render(portalFixture(), {
      'GET /v1/documents/doc-home/versions/3/download': () => {
        if (down) throw new TypeError('Failed to fetch');
        return new Response('version three');
      },
    });
    const event = oneEvent(docs, 'porch-error');
    buttonNamed(docs, 'Download').click();
    expect((await event).detail.error.code).to.equal('network');
    await settle(docs);
    const [home, brief] = rows(docs);
    const alert = deepQuery(home, '[role=alert]')!;
    expect(isVisible(alert), 'a message the eye can see, not only a screen reader').to.equal(true);
    expect(alert.textContent).to.contain('We couldn’t reach the portal. Check your connection, then try again.');
    expect(deepQuery(brief, '[role=alert]'), 'only beside the row that failed').to.equal(null);
    expect(downloads.files).to.have.length(0);
    down = false;
    buttonNamed(home, 'Try again').click();
    await until(docs, () => downloads.files.length === 1, 'the download on retry');
    expect(deepQuery(home, '[role=alert]')).to.equal(null);
  });

  it('shows progress on the tapped button, and lets another download start meanwhile', async () => {
    const slow = gate();
    const docs = await render(portalFixture(), {
      'GET /v1/documents/doc-home/versions/3/download': async () => {
        await slow.wait;
        return new Response('version three');
      },
      'GET /v1/documents/doc-brief/versions/1/download': () => new Response('the brief'),
    });
    const [home, brief] = rows(docs);
    buttonNamed(home, 'Download').click();
    await settle(docs);
    const busy = deepQuery(home, 'button[aria-busy=true]')!;
    expect(busy.textContent).to.contain('Preparing…');
    expect(isVisible(deepQuery(busy, '.spinner')!)).to.equal(true);
    expect(deepQuery(brief, 'button[aria-busy=true]'), 'only the tapped button').to.equal(null);
    buttonNamed(brief, 'Download').click();
    await until(docs, () => downloads.files.length === 1, 'the second download, while the first is still preparing');
    expect(downloads.files[0].filename).to.equal('brief-v1.txt');
    slow.release();
    await until(docs, () => downloads.files.length === 2, 'the first download');
    expect(deepQuery(home, 'button[aria-busy=true]')).to.equal(null);
    expect(buttonNamed(home, 'Download')).to.exist;
  });

  it('names each version’s file after its version, so versions saved side by side do not overwrite each other', async () => {
    const data = portalFixture();
    data.documents[0] = { ...data.documents[0], latest: { ...data.documents[0].latest, filename: 'homepage.pdf' } };
    const docs = await render(data, {
      'GET /v1/documents/doc-home': () => ({ ...homepageDetail, versions: homepageDetail.versions.map((v) => ({ ...v, filename: 'homepage.pdf' })) }),
    });
    buttonNamed(docs, 'Download').click();
    buttonNamed(docs, 'History').click();
    await until(docs, () => deepQuery(docs, '.history ol'), 'the history');
    buttonNamed(docs, 'Download v2').click();
    await until(docs, () => downloads.files.length === 2, 'both downloads');
    expect(downloads.files.map((f) => f.filename)).to.deep.equal(['homepage-v3.pdf', 'homepage-v2.pdf']);
  });

  it('shows a history that failed to load beside its document, with a retry', async () => {
    let down = true;
    const docs = await render(portalFixture(), {
      'GET /v1/documents/doc-home': () => (down ? Response.json({ error: { code: 'internal', message: 'boom' } }, { status: 500 }) : homepageDetail),
    });
    buttonNamed(docs, 'History').click();
    await until(docs, () => deepQuery(docs, '.history [role=alert]'), 'the failure');
    const alert = deepQuery(docs, '.history [role=alert]')!;
    expect(isVisible(alert)).to.equal(true);
    expect(alert.textContent).to.contain('Something went wrong on our side. Please try again.');
    down = false;
    buttonNamed(deepQuery(docs, '.history')!, 'Try again').click();
    await until(docs, () => deepQuery(docs, '.history ol'), 'the history on retry');
  });

  it('shows a search the API could not answer, with a retry', async () => {
    const data = portalFixture();
    const [home] = data.documents;
    data.documents = Array.from({ length: 100 }, (_, i) => ({ ...home, id: `doc-${i}`, title: `Weekly report ${i}` }));
    let down = true;
    const docs = await render(data, {
      'GET /v1/documents': () => (down ? Response.json({ error: { code: 'internal', message: 'boom' } }, { status: 500 }) : [{ ...home, id: 'doc-old', title: 'Archived contract' }]),
    });
    const search = deepQuery<HTMLInputElement>(docs, 'input[type=search]')!;
    search.value = 'contract';
    search.dispatchEvent(new Event('input'));
    await until(docs, () => deepQuery(docs, '[role=alert]'), 'the failure');
    expect(isVisible(deepQuery(docs, '[role=alert]')!)).to.equal(true);
    down = false;
    buttonNamed(docs, 'Try again').click();
    await until(docs, () => rows(docs).length === 1, 'the search answer on retry');
    expect(rows(docs)[0].dataset.id).to.equal('doc-old');
  });

  it('says so, visibly, when a link points to a document that is gone', async () => {
    followLink('#porch/document/doc-deleted');
    const docs = await render();
    const note = deepQuery(docs, '[role=alert]')!;
    expect(isVisible(note)).to.equal(true);
    expect(note.textContent).to.contain('The document your link points to is no longer available.');
  });

  it('says what will appear when nothing is shared yet', async () => {
    const docs = await render({ ...portalFixture(), documents: [] });
    expect(deepText(docs)).to.contain('Documents Northwind Studio shares with you will appear here');
    expect(deepQuery(docs, 'input')).to.equal(null);
  });

  it('is accessible, with its history open', async () => {
    const docs = await render();
    buttonNamed(docs, 'History').click();
    await until(docs, () => deepQuery(docs, '.history ol'), 'the history');
    await expect(docs).to.be.accessible();
  });
});
