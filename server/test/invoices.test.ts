import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { invoicesJson } from '../db/invoices.ts';
import { projectsJson } from '../db/projects.ts';
import { wrap } from '../invoice-pdf.ts';
import type { Invoice } from '../types.ts';
import { agencyCaller, brokenJson, expectError, expectStatus } from './agency-helpers.ts';
import { setup } from './helpers.ts';

const ctx = await setup();
const agency = await ctx.agency({ name: 'Northwind Studio', brandColor: '#7a2e8e' });
const otherAgency = await ctx.agency({ name: 'Other Agency' });

const agencyApi = agencyCaller(ctx, agency.api_key);
const otherApi = agencyCaller(ctx, otherAgency.api_key);

/** A date `days` from today, as Postgres's current_date (UTC) counts. */
const daysFrom = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const created = <T>(res: Response) => expectStatus<T>(res, 201);

const alice = await created<{ id: string }>(
  await agencyApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'alice', name: 'Alice Ng', email: 'alice@example.com' } }),
);
const bob = await created<{ id: string }>(await agencyApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'bob' } }));
const aliceSession = await ctx.signIn(agency, 'alice');
const bobSession = await ctx.signIn(agency, 'bob');

type AgencyInvoice = Invoice & { client_id: string; tax_rate_bp: number };
let numbered = 0;

function invoiceBody(overrides: Record<string, unknown> = {}) {
  return {
    client_id: alice.id,
    number: `INV-${++numbered}`,
    currency: 'USD',
    issued_on: daysFrom(-10),
    due_on: daysFrom(20),
    lines: [{ description: 'Design workshop', quantity: 2, unit_price_minor: 12_500 }],
    ...overrides,
  };
}

async function issue(overrides: Record<string, unknown> = {}, api = agencyApi): Promise<AgencyInvoice> {
  return created(await api('/v1/agency/invoices', { method: 'POST', json: invoiceBody(overrides) }));
}

async function clientGet<T>(path: string, bearer = aliceSession): Promise<{ status: number; body: T }> {
  const res = await ctx.request(path, { bearer });
  return { status: res.status, body: (await res.json()) as T };
}

const invoiceCount = async () => (await ctx.sql<{ n: number }[]>`select count(*)::int as n from invoices`)[0].n;
const viewedCount = async (invoiceId: string) =>
  (await ctx.sql<{ n: number }[]>`
    select count(*)::int as n from audit_log where action = 'invoice.viewed' and subject_id = ${invoiceId}`)[0].n;

/** The text a PDF draws: pdf-lib writes each run as a hex string in a Flate-compressed content stream. */
function pdfText(bytes: Uint8Array): string {
  const raw = Buffer.from(bytes).toString('latin1');
  const runs: string[] = [];
  for (const [, data] of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(data, 'latin1')).toString('latin1');
    } catch {
      continue; // not a Flate stream
    }
    for (const [, hex] of content.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) runs.push(Buffer.from(hex, 'hex').toString('latin1'));
  }
  return runs.join('\n');
}

async function downloadPdf(path: string, bearer: string) {
  const res = await ctx.request(path, { bearer });
  assert.equal(res.status, 200, res.status === 200 ? '' : await res.text());
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(Buffer.from(bytes.subarray(0, 5)).toString('latin1'), '%PDF-');
  const doc = await PDFDocument.load(bytes);
  return { res, bytes, doc, text: pdfText(bytes) };
}

describe('issuing and reading invoices', () => {
  test('the server computes amounts, subtotal, tax and total; the client sees the invoice with its lines', async () => {
    const invoice = await issue({
      tax_rate_bp: 825,
      pay_url: 'https://pay.example/inv',
      lines: [
        { description: 'Design workshop', quantity: 1.5, unit_price_minor: 3333 }, // 4999.5 → 5000
        { description: 'Hosting (partial month)', quantity: 0.333, unit_price_minor: 1001 }, // 333.333 → 333
        { description: 'Icon set', quantity: 3, unit_price_minor: 2500 },
      ],
    });
    assert.deepEqual(
      invoice.lines.map((line) => line.amount_minor),
      [5000, 333, 7500],
    );
    assert.equal(invoice.subtotal_minor, 12_833);
    assert.equal(invoice.tax_minor, 1059); // 12833 × 8.25% = 1058.72
    assert.equal(invoice.total_minor, 13_892);
    assert.equal(invoice.tax_rate_bp, 825);
    assert.equal(invoice.client_id, alice.id);
    assert.equal(invoice.status, 'open');

    const list = await clientGet<Invoice[]>('/v1/invoices');
    assert.equal(list.status, 200);
    const seen = list.body.find((candidate) => candidate.id === invoice.id)!;
    assert.deepEqual(Object.keys(seen).sort(), [
      'currency', 'due_on', 'id', 'issued_on', 'lines', 'number', 'paid_at', 'pay_url', 'project_id', 'status',
      'subtotal_minor', 'tax_minor', 'total_minor',
    ]);
    assert.deepEqual(seen.lines, [
      { position: 1, description: 'Design workshop', quantity: 1.5, unit_price_minor: 3333, amount_minor: 5000 },
      { position: 2, description: 'Hosting (partial month)', quantity: 0.333, unit_price_minor: 1001, amount_minor: 333 },
      { position: 3, description: 'Icon set', quantity: 3, unit_price_minor: 2500, amount_minor: 7500 },
    ]);
    assert.equal(seen.issued_on, daysFrom(-10));
    assert.equal(seen.due_on, daysFrom(20));
    assert.equal(seen.total_minor, 13_892);
    assert.equal(seen.pay_url, 'https://pay.example/inv');
    assert.equal(seen.paid_at, null);

    const one = await clientGet<Invoice>(`/v1/invoices/${invoice.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, seen);
  });

  test('totals sent by the caller are refused, not trusted', async () => {
    const before = await invoiceCount();
    for (const body of [
      invoiceBody({ total_minor: 1 }),
      invoiceBody({ subtotal_minor: 1, tax_minor: 0 }),
      invoiceBody({ lines: [{ description: 'Work', quantity: 1, unit_price_minor: 100, amount_minor: 1 }] }),
    ]) {
      const res = await agencyApi('/v1/agency/invoices', { method: 'POST', json: body });
      assert.match((await expectError(res, 400)).message, /computed by the server/);
    }
    assert.equal(await invoiceCount(), before);
  });

  test('an invoice is open on its due date and overdue the day after', async () => {
    const dueToday = await issue({ issued_on: daysFrom(-30), due_on: daysFrom(0) });
    const dueYesterday = await issue({ issued_on: daysFrom(-30), due_on: daysFrom(-1) });
    const statuses = Object.fromEntries((await clientGet<Invoice[]>('/v1/invoices')).body.map((i) => [i.id, i.status]));
    assert.equal(statuses[dueToday.id], 'open');
    assert.equal(statuses[dueYesterday.id], 'overdue');
  });

  test('marking an overdue invoice paid makes it paid, once, and audits it', async () => {
    const invoice = await issue({ issued_on: daysFrom(-40), due_on: daysFrom(-5) });
    const paidAt = `${daysFrom(-3)}T09:30:00Z`;
    const res = await agencyApi(`/v1/agency/invoices/${invoice.id}/paid`, { method: 'POST', json: { paid_at: paidAt } });
    assert.equal(res.status, 200);
    const paid = (await res.json()) as AgencyInvoice;
    assert.equal(paid.status, 'paid');
    assert.equal(Date.parse(paid.paid_at!), Date.parse(paidAt));

    const seen = await clientGet<Invoice>(`/v1/invoices/${invoice.id}`);
    assert.equal(seen.body.status, 'paid');
    assert.equal(Date.parse(seen.body.paid_at!), Date.parse(paidAt));

    const again = await agencyApi(`/v1/agency/invoices/${invoice.id}/paid`, { method: 'POST' });
    assert.equal((await expectError(again, 409)).code, 'already_paid');
    const audits = await ctx.sql`
      select actor_type, client_id, data from audit_log where action = 'invoice.paid' and subject_id = ${invoice.id}`;
    assert.equal(audits.length, 1);
    assert.equal(audits[0].actor_type, 'agency');
    assert.equal(audits[0].client_id, alice.id);
  });

  test('paid without a date means paid now', async () => {
    const invoice = await issue();
    const res = await agencyApi(`/v1/agency/invoices/${invoice.id}/paid`, { method: 'POST', json: {} });
    const paid = (await res.json()) as AgencyInvoice;
    assert.equal(paid.status, 'paid');
    assert.ok(Math.abs(Date.parse(paid.paid_at!) - Date.now()) < 60_000);
  });

  test('invoices come newest first, for the client and for the agency', async () => {
    const older = await issue({ client_id: bob.id, issued_on: daysFrom(-60), due_on: daysFrom(-30) });
    const newest = await issue({ client_id: bob.id, issued_on: daysFrom(0), due_on: daysFrom(30) });
    const middle = await issue({ client_id: bob.id, issued_on: daysFrom(-20), due_on: daysFrom(10) });
    const expected = [newest.id, middle.id, older.id];
    assert.deepEqual((await clientGet<Invoice[]>('/v1/invoices', bobSession)).body.map((i) => i.id), expected);
    const agencyList = (await (await agencyApi(`/v1/agency/invoices?client_id=${bob.id}`)).json()) as AgencyInvoice[];
    assert.deepEqual(agencyList.map((i) => i.id), expected);
    assert.ok(agencyList.every((i) => i.client_id === bob.id));
  });

  test('an invoice number is unique within the agency, not across agencies', async () => {
    await issue({ number: 'DUP-1' });
    const before = await invoiceCount();
    const res = await agencyApi('/v1/agency/invoices', { method: 'POST', json: invoiceBody({ number: 'DUP-1', client_id: bob.id }) });
    assert.equal((await expectError(res, 409)).code, 'conflict');
    assert.equal(await invoiceCount(), before);

    const otherClient = await created<{ id: string }>(
      await otherApi('/v1/agency/clients', { method: 'POST', json: { external_id: 'carol' } }),
    );
    await issue({ number: 'DUP-1', client_id: otherClient.id }, otherApi);
  });

  test('issuing is audited as invoice.issued for the client', async () => {
    const invoice = await issue();
    const [entry] = await ctx.sql`
      select client_id, actor_type, data from audit_log where action = 'invoice.issued' and subject_id = ${invoice.id}`;
    assert.equal(entry.client_id, alice.id);
    assert.equal(entry.actor_type, 'agency');
    assert.equal(entry.data.total_minor, invoice.total_minor);
  });

  test('an invoice may name a project of its client, not of another client', async () => {
    const project = await created<{ id: string }>(
      await agencyApi('/v1/agency/projects', { method: 'POST', json: { client_id: alice.id, name: 'Site', phases: ['One'] } }),
    );
    const invoice = await issue({ project_id: project.id });
    assert.equal(invoice.project_id, project.id);
    const before = await invoiceCount();
    const res = await agencyApi('/v1/agency/invoices', { method: 'POST', json: invoiceBody({ client_id: bob.id, project_id: project.id }) });
    assert.equal(res.status, 404);
    assert.equal(await invoiceCount(), before);
  });

  test('the JSON fragments compose into one statement, as /v1/portal composes them', async () => {
    const scope = { agencyId: agency.agency_id, clientId: alice.id };
    const [row] = await ctx.sql<{ value: { invoices: Invoice[]; projects: unknown[]; elsewhere: Invoice[] } }[]>`
      select json_build_object(
        'invoices', ${invoicesJson(ctx.sql, scope)},
        'projects', ${projectsJson(ctx.sql, scope)},
        'elsewhere', ${invoicesJson(ctx.sql, { ...scope, agencyId: otherAgency.agency_id })}) as value`;
    const viaRoute = (await clientGet<Invoice[]>('/v1/invoices')).body;
    assert.deepEqual(row.value.invoices, viaRoute);
    assert.ok(row.value.projects.length >= 1);
    assert.deepEqual(row.value.elsewhere, [], 'the scope includes the agency');
  });
});

describe('invoice PDF', () => {
  test('the client downloads a real PDF with the agency, the client, the lines and the totals', async () => {
    const invoice = await issue({
      number: 'INV-2026-001',
      tax_rate_bp: 825,
      pay_url: 'https://pay.example/inv-2026-001',
      lines: [{ description: 'Design workshop', quantity: 1.5, unit_price_minor: 3333 }],
    });
    const { res, doc, text } = await downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="invoice-INV-2026-001.pdf"; filename*=UTF-8''invoice-INV-2026-001.pdf`,
    );
    assert.equal(doc.getPageCount(), 1);
    for (const expected of [
      'Northwind Studio', 'Alice Ng', 'alice@example.com', 'No. INV-2026-001', daysFrom(-10), daysFrom(20), 'OPEN',
      'Design workshop', '1.5', '$33.33', '$50.00', 'Subtotal', 'Tax (8.25%)', '$4.13', '$54.13',
      'https://pay.example/inv-2026-001',
    ]) {
      assert.ok(text.includes(expected), `the PDF shows ${expected}`);
    }
  });

  test('a paid invoice says PAID with the date and offers no pay link; an overdue one says so', async () => {
    const invoice = await issue({ pay_url: 'https://pay.example/x' });
    await expectStatus(
      await agencyApi(`/v1/agency/invoices/${invoice.id}/paid`, { method: 'POST', json: { paid_at: `${daysFrom(-2)}T10:00:00Z` } }),
      200,
    );
    const { text } = await downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession);
    assert.ok(text.includes(`PAID ${daysFrom(-2)}`));
    assert.ok(!text.includes('https://pay.example/x'));

    const overdue = await issue({ issued_on: daysFrom(-30), due_on: daysFrom(-2) });
    const overdueText = (await downloadPdf(`/v1/invoices/${overdue.id}/pdf`, aliceSession)).text;
    assert.ok(overdueText.includes('OVERDUE') && overdueText.includes(daysFrom(-2)));
  });

  test('money follows the currency: yen have no minor unit, euros show their symbol', async () => {
    const yen = await issue({ currency: 'JPY', lines: [{ description: 'Consulting', quantity: 2, unit_price_minor: 150_000 }] });
    assert.equal(yen.total_minor, 300_000);
    const yenText = (await downloadPdf(`/v1/invoices/${yen.id}/pdf`, aliceSession)).text;
    assert.ok(yenText.includes('\u00a5300,000'), 'JPY 300000 is ¥300,000');
    const euro = await issue({ currency: 'EUR', lines: [{ description: 'Print', quantity: 1, unit_price_minor: 123_456 }] });
    assert.ok((await downloadPdf(`/v1/invoices/${euro.id}/pdf`, aliceSession)).text.includes('\u00801,234.56'), '€ in WinAnsi');
  });

  test('text Helvetica cannot draw is replaced instead of failing the download', async () => {
    const invoice = await issue({
      currency: 'INR',
      lines: [{ description: 'Łódź café 设计 🎨 naïve', quantity: 1, unit_price_minor: 100_000 }],
    });
    await ctx.sql`update clients set name = ${'Zoë 李 ✓'} where id = ${alice.id}`;
    try {
      const { text } = await downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession);
      assert.ok(text.includes('caf\u00e9'), 'é is kept');
      assert.ok(text.includes('na\u00efve'));
      assert.ok(text.includes('?\u00f3dz'), 'Ł becomes ?, ź loses its accent');
      assert.ok(text.includes('Zo\u00eb ? ?'));
      assert.ok(text.includes('INR'), 'a currency symbol the font lacks is written as its code');
    } finally {
      await ctx.sql`update clients set name = 'Alice Ng' where id = ${alice.id}`;
    }
  });

  test('a long description wraps without losing a character', async () => {
    const description = `${'Responsive layout for every template '.repeat(8)}${'x'.repeat(150)}`.trim().slice(0, 500);
    const invoice = await issue({ lines: [{ description, quantity: 1, unit_price_minor: 100 }] });
    const { text } = await downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession);
    const runs = text.split('\n');
    const start = runs.findIndex((run) => run.startsWith('Responsive layout'));
    const wrapped = runs.slice(start, start + 12).filter((run) => /^[A-Za-z x]+$/.test(run));
    assert.ok(wrapped.length >= 3, 'the description takes several lines');
    assert.ok(wrapped.join(' ').replace(/x x/g, 'xx').includes(description.replace(/\s+/g, ' ').slice(0, 200)));
    assert.ok(wrapped.join('').includes('x'.repeat(150)), 'a word longer than the column is broken, not cut');
  });

  test('sixty lines flow onto further pages, each with the table header', async () => {
    const lines = Array.from({ length: 60 }, (_, index) => ({
      description: `Line item ${index + 1}`,
      quantity: 1,
      unit_price_minor: 1000,
    }));
    const invoice = await issue({ lines });
    assert.equal(invoice.total_minor, 60_000);
    const { doc, text } = await downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession);
    assert.ok(doc.getPageCount() > 1, `${doc.getPageCount()} pages`);
    const tableHeaders = text.split('\n').filter((run) => run === 'Description').length;
    assert.ok(tableHeaders >= 2, 'the line table continues on the next page under its header');
    assert.ok(text.includes('Line item 1\n') && text.includes('Line item 60'), 'no line is lost');
    assert.ok(text.includes(`Page ${doc.getPageCount()} of ${doc.getPageCount()}`));
    assert.ok(text.includes('$600.00'));
  });

  test('the first PDF open is audited as invoice.viewed, once; the agency opening it is not', async () => {
    const invoice = await issue();
    const views = () => ctx.sql<{ client_id: string; first_viewed_at: Date }[]>`
      select client_id, first_viewed_at from invoice_views where invoice_id = ${invoice.id}`;
    await downloadPdf(`/v1/agency/invoices/${invoice.id}/pdf`, agency.api_key);
    assert.equal(await viewedCount(invoice.id), 0);
    assert.equal((await views()).length, 0);
    await Promise.all([1, 2, 3].map(() => downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession)));
    const [first] = await views();
    await downloadPdf(`/v1/invoices/${invoice.id}/pdf`, aliceSession);
    const entries = await ctx.sql`
      select client_id, actor_type, actor_id from audit_log where action = 'invoice.viewed' and subject_id = ${invoice.id}`;
    assert.equal(entries.length, 1);
    assert.deepEqual({ ...entries[0] }, { client_id: alice.id, actor_type: 'client', actor_id: 'alice' });
    assert.deepEqual([...(await views())], [first], 'the first view is kept, once, with its time');
    assert.equal(first.client_id, alice.id);
  });

  test('an invoice number with unusual characters still makes a safe filename, encoded as RFC 5987 says', async () => {
    const invoice = await issue({ number: `Fac/2026 "7" (Q1)*'s` });
    const { res } = await downloadPdf(`/v1/agency/invoices/${invoice.id}/pdf`, agency.api_key);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="invoice-Fac-2026 _7_ (Q1)*'s.pdf"; ` +
        `filename*=UTF-8''invoice-Fac-2026%20%227%22%20%28Q1%29%2A%27s.pdf`,
    );
  });
});

describe('invoice PDF: long text', () => {
  test('a hundred lines of 500-character words render in well under a second, without losing a character', async () => {
    const invoice = await issue({
      pay_url: `https://pay.example/${'a'.repeat(1970)}`,
      lines: Array.from({ length: 100 }, (_, i) => ({
        description: i % 10 === 9 ? '\u30c7\u30b6\u30a4\u30f3'.repeat(125) : 'W'.repeat(500),
        quantity: 1,
        unit_price_minor: 1,
      })),
    });
    const started = performance.now();
    const { doc, text } = await downloadPdf(`/v1/agency/invoices/${invoice.id}/pdf`, agency.api_key);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000, `rendered in ${Math.round(elapsed)} ms`);
    assert.ok(doc.getPageCount() > 10);
    assert.equal(text.match(/W/g)?.length, 90 * 500, 'every W is drawn');
    assert.equal(text.match(/\?/g)?.length, 10 * 500, 'text Helvetica cannot draw becomes ?, one for each character');
  });

  test('wrapped lines are never wider than the column, kerning included, and keep every character', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const samples = [
      'AVAVAVAVAV'.repeat(40),
      `To ${'AWAY '.repeat(30)}and Yo-yo Ty Wa LT ${'x'.repeat(120)} end`,
      'a',
      '',
      'W',
    ];
    for (const text of samples) {
      for (const width of [5, 40, 268]) {
        const lines = wrap(text, font, 10, width);
        for (const line of lines) {
          assert.ok(line.length === 1 || font.widthOfTextAtSize(line, 10) <= width + 1e-9, `"${line}" fits ${width}`);
        }
        assert.equal(lines.join('').replace(/ /g, ''), text.replace(/ /g, ''), 'no character is lost');
        assert.ok(lines.every((line) => line === line.trim()), 'lines do not start or end with a space');
      }
    }
    assert.deepEqual(wrap('one two three', font, 10, 1000), ['one two three']);
    assert.deepEqual(wrap('', font, 10, 100), ['']);
  });
});

describe('dates and numbers', () => {
  const paidAt = (invoiceId: string, paid_at: string) =>
    agencyApi(`/v1/agency/invoices/${invoiceId}/paid`, { method: 'POST', json: { paid_at } });
  const paidAtOf = async (invoiceId: string) => (await ctx.sql`select paid_at from invoices where id = ${invoiceId}`)[0].paid_at;

  test('paid_at outside 2000–2100 (after its offset), or before the invoice was issued, is refused', async () => {
    const invoice = await issue({ issued_on: '2026-03-10', due_on: '2026-04-10' });
    for (const time of [
      '0001-01-01T00:00:00+14:00',
      '1999-12-31T23:59:59Z',
      '2000-01-01T00:30:00+01:00', // 1999 in UTC
      '2101-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2026-03-09T23:59:59Z',
      '2026-03-09T23:00:00-05:00', // 2026-03-10 in UTC, but the 9th where it was paid
    ]) {
      const error = await expectError(await paidAt(invoice.id, time), 400);
      assert.match(error.message, /paid_at/, time);
    }
    assert.equal(await paidAtOf(invoice.id), null, 'still unpaid');
    // The day of issue counts in the payment's own offset: 00:30 on the 10th in Kiribati is the 9th in UTC.
    const paid = await expectStatus<AgencyInvoice>(await paidAt(invoice.id, '2026-03-10T00:30:00+14:00'), 200);
    assert.equal(Date.parse(paid.paid_at!), Date.parse('2026-03-09T10:30:00Z'));
  });

  test('issue and due dates outside 2000–2100 are refused; the edges are accepted', async () => {
    const before = await invoiceCount();
    for (const dates of [
      { issued_on: '0001-01-01', due_on: '0001-01-02' },
      { issued_on: '1999-12-31', due_on: '2000-01-31' },
      { issued_on: '2100-12-01', due_on: '2101-01-01' },
      { issued_on: '2026-01-01', due_on: '9999-12-31' },
    ]) {
      const error = await expectError(await agencyApi('/v1/agency/invoices', { method: 'POST', json: invoiceBody(dates) }), 400);
      assert.match(error.message, /out of range/, JSON.stringify(dates));
    }
    assert.equal(await invoiceCount(), before);
    const edges = await issue({ issued_on: '2000-01-01', due_on: '2100-12-31' });
    assert.deepEqual([edges.issued_on, edges.due_on], ['2000-01-01', '2100-12-31']);
  });

  test('invoice numbers with invisible format characters are refused', async () => {
    const before = await invoiceCount();
    for (const number of ['INV-\u202e1-FDP', 'INV-\u200b42', '\u2066INV-7\u2069', 'INV-\ufeff8', 'INV-\u00ad9']) {
      const error = await expectError(await agencyApi('/v1/agency/invoices', { method: 'POST', json: invoiceBody({ number }) }), 400);
      assert.match(error.message, /^number: /);
    }
    assert.equal(await invoiceCount(), before);
  });
});

describe('tenant isolation', () => {
  test("client B cannot read or download client A's invoice", async () => {
    const invoice = await issue();
    assert.equal((await clientGet(`/v1/invoices/${invoice.id}`, bobSession)).status, 404);
    const pdf = await ctx.request(`/v1/invoices/${invoice.id}/pdf`, { bearer: bobSession });
    assert.equal((await expectError(pdf, 404)).code, 'not_found');
    assert.equal(await viewedCount(invoice.id), 0);
    const bobList = (await clientGet<Invoice[]>('/v1/invoices', bobSession)).body;
    assert.ok(bobList.every((i) => i.id !== invoice.id));
  });

  test("another agency cannot read, download, pay or issue against this agency's invoices and clients", async () => {
    const invoice = await issue({ project_id: null });
    for (const [path, method] of [
      [`/v1/agency/invoices/${invoice.id}`, 'GET'],
      [`/v1/agency/invoices/${invoice.id}/pdf`, 'GET'],
      [`/v1/agency/invoices/${invoice.id}/paid`, 'POST'],
    ] as const) {
      const res = await otherApi(path, { method, json: method === 'POST' ? {} : undefined });
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    const [row] = await ctx.sql`select paid_at from invoices where id = ${invoice.id}`;
    assert.equal(row.paid_at, null, 'still unpaid');
    assert.deepEqual(await (await otherApi(`/v1/agency/invoices?client_id=${alice.id}`)).json(), []);

    const before = await invoiceCount();
    const res = await otherApi('/v1/agency/invoices', { method: 'POST', json: invoiceBody({ number: 'STEAL-1' }) });
    assert.equal(res.status, 404);
    assert.equal(await invoiceCount(), before);
  });

  test('client routes need a session', async () => {
    const res = await ctx.request('/v1/invoices');
    assert.equal(res.status, 401);
    const withApiKey = await ctx.request('/v1/invoices', { bearer: agency.api_key });
    assert.equal(withApiKey.status, 401);
  });
});

describe('malformed input answers 4xx JSON, never 500', () => {
  test('ids that are not uuids', async () => {
    for (const bad of ['not-a-uuid', '123', "1' or '1'='1", '%00']) {
      await expectError(await ctx.request(`/v1/invoices/${bad}`, { bearer: aliceSession }), 404);
      await expectError(await ctx.request(`/v1/invoices/${bad}/pdf`, { bearer: aliceSession }), 404);
      await expectError(await agencyApi(`/v1/agency/invoices/${bad}`), 404);
      await expectError(await agencyApi(`/v1/agency/invoices/${bad}/pdf`), 404);
      await expectError(await agencyApi(`/v1/agency/invoices/${bad}/paid`, { method: 'POST', json: {} }), 404);
    }
    await expectError(await agencyApi('/v1/agency/invoices?client_id=nope'), 400);
    await expectError(await agencyApi(`/v1/agency/invoices?client_id=${alice.id}&client_id=${bob.id}`), 400);
  });

  test('bad invoice bodies', async () => {
    const before = await invoiceCount();
    const line = { description: 'Work', quantity: 1, unit_price_minor: 100 };
    const bodies: Record<string, unknown>[] = [
      {},
      invoiceBody({ client_id: 'nope' }),
      invoiceBody({ client_id: undefined }),
      invoiceBody({ number: '' }),
      invoiceBody({ number: 'N'.repeat(65) }),
      invoiceBody({ number: 'bad\nnumber' }),
      invoiceBody({ number: 42 }),
      invoiceBody({ currency: 'usd' }),
      invoiceBody({ currency: 'XYZ' }),
      invoiceBody({ currency: 'DOLLARS' }),
      invoiceBody({ issued_on: '2026-02-30' }),
      invoiceBody({ issued_on: '15/01/2026' }),
      invoiceBody({ issued_on: '0000-01-01', due_on: '0000-02-01' }),
      invoiceBody({ issued_on: daysFrom(0), due_on: daysFrom(-1) }),
      invoiceBody({ lines: [] }),
      invoiceBody({ lines: 'many' }),
      invoiceBody({ lines: Array.from({ length: 101 }, () => line) }),
      invoiceBody({ lines: [{ ...line, description: '' }] }),
      invoiceBody({ lines: [{ ...line, description: 'd'.repeat(501) }] }),
      invoiceBody({ lines: [{ ...line, description: 'half \ud83d' }] }),
      invoiceBody({ number: 'INV-\udfff' }),
      invoiceBody({ lines: [{ ...line, quantity: 0 }] }),
      invoiceBody({ lines: [{ ...line, quantity: -1 }] }),
      invoiceBody({ lines: [{ ...line, quantity: 1.0005 }] }),
      invoiceBody({ lines: [{ ...line, quantity: '1' }] }),
      invoiceBody({ lines: [{ ...line, quantity: 1e12 }] }),
      invoiceBody({ lines: [{ ...line, unit_price_minor: -1 }] }),
      invoiceBody({ lines: [{ ...line, unit_price_minor: 1.5 }] }),
      invoiceBody({ lines: [{ ...line, unit_price_minor: 2 ** 60 }] }),
      invoiceBody({ lines: [{ ...line, quantity: 999_999_999, unit_price_minor: 9_000_000_000_000 }] }),
      invoiceBody({ tax_rate_bp: 10_001 }),
      invoiceBody({ tax_rate_bp: -1 }),
      invoiceBody({ tax_rate_bp: 12.5 }),
      invoiceBody({ pay_url: 'ftp://pay.example' }),
      invoiceBody({ pay_url: 'javascript:alert(1)' }),
      invoiceBody({ pay_url: `https://pay.example/${'a'.repeat(2000)}` }),
      invoiceBody({ project_id: 'nope' }),
    ];
    for (const json of bodies) {
      await expectError(await agencyApi('/v1/agency/invoices', { method: 'POST', json }), 400);
    }
    await expectError(await agencyApi('/v1/agency/invoices', { method: 'POST', ...brokenJson() }), 400);
    await expectError(await agencyApi('/v1/agency/invoices', { method: 'POST', json: [invoiceBody()] }), 400);
    await expectError(await agencyApi('/v1/agency/invoices', { method: 'POST', json: 'invoice' }), 400);
    assert.equal(await invoiceCount(), before);
  });

  test('bad paid bodies', async () => {
    const invoice = await issue();
    for (const json of [{ paid_at: 'yesterday' }, { paid_at: '2026-01-01' }, { paid_at: 5 }, { paid_at: '0000-01-01T00:00:00Z' }]) {
      await expectError(await agencyApi(`/v1/agency/invoices/${invoice.id}/paid`, { method: 'POST', json }), 400);
    }
    await expectError(await agencyApi(`/v1/agency/invoices/${invoice.id}/paid`, { method: 'POST', ...brokenJson() }), 400);
    const [row] = await ctx.sql`select paid_at from invoices where id = ${invoice.id}`;
    assert.equal(row.paid_at, null);
  });
});
