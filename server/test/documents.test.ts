import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { approvalsJson } from '../db/approvals.ts';
import { documentsJson } from '../db/documents.ts';
import type { CreatedAgency } from '../db/agencies.ts';
import type { DocumentDetail, DocumentSummary, DocumentVersion } from '../types.ts';
import { brokenJson, expectStatus } from './agency-helpers.ts';
import { setup } from './helpers.ts';

const ctx = await setup();

const agencyX = await ctx.agency({ name: 'Studio X' });
const agencyY = await ctx.agency({ name: 'Studio Y' });
const clientA = await ctx.signIn(agencyX, 'client-a', { name: 'Ada', email: 'ada@example.com' });
const clientB = await ctx.signIn(agencyX, 'client-b');
const clientOfY = await ctx.signIn(agencyY, 'client-a');
const [{ id: clientAId }] = await ctx.sql<{ id: string }[]>`
  select id from clients where agency_id = ${agencyX.agency_id} and external_id = 'client-a'`;
const [{ id: clientOfYId }] = await ctx.sql<{ id: string }[]>`
  select id from clients where agency_id = ${agencyY.agency_id} and external_id = 'client-a'`;

const MISSING = '00000000-0000-4000-8000-000000000000';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every key the client's files are written under, to prove a refused upload stored nothing. */
const storedKeys: string[] = [];
const putFile = ctx.env.files.put.bind(ctx.env.files);
ctx.env.files.put = async (key, data, contentType) => {
  storedKeys.push(key);
  await putFile(key, data, contentType);
};

function agencyCall(agency: CreatedAgency, path: string, init: RequestInit & { json?: unknown } = {}) {
  return ctx.request(`/v1/agency${path}`, { ...init, bearer: agency.api_key });
}

async function createDocument(agency: CreatedAgency, clientId: string, title: string) {
  const res = await agencyCall(agency, '/documents', { method: 'POST', json: { client_id: clientId, title } });
  return expectStatus<DocumentDetail & { client_id: string }>(res, 201);
}

function upload(agency: CreatedAgency, documentId: string, file: File, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('file', file);
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return agencyCall(agency, `/documents/${documentId}/versions`, { method: 'POST', body: form });
}

async function uploadOk(agency: CreatedAgency, documentId: string, file: File, fields: Record<string, string> = {}) {
  return expectStatus<Omit<DocumentVersion, 'viewed'>>(await upload(agency, documentId, file, fields), 201);
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(typeof body.error.message, 'string');
  return { status: res.status, code: body.error.code };
}

const countRows = async (table: 'document_versions' | 'document_version_views' | 'documents') =>
  (await ctx.sql<{ n: number }[]>`select count(*)::int as n from ${ctx.sql(table)}`)[0].n;

const auditActions = async (action: string) =>
  ctx.sql<{ subject_id: string; client_id: string; actor_type: string; data: Record<string, unknown> }[]>`
    select subject_id, client_id, actor_type, data from audit_log where action = ${action} order by id`;

// The happy path: the agency uploads v1 and v2, the client sees v2 first and downloads v1 exactly.
const v1Bytes = new Uint8Array(3000).map((_, i) => (i * 7) % 256);
const v2Bytes = new TextEncoder().encode('%PDF-1.7 homepage, second round');
const homepage = await createDocument(agencyX, clientAId, 'Homepage design');

describe('documents: upload and read', () => {
  test('a new document has no versions and the client does not see it yet', async () => {
    assert.equal(homepage.version_count, 0);
    assert.equal(homepage.latest, null);
    assert.deepEqual(homepage.versions, []);
    assert.equal(homepage.client_id, clientAId);
    const list = (await (await ctx.request('/v1/documents', { bearer: clientA })).json()) as DocumentSummary[];
    assert.deepEqual(list, []);
    assert.equal((await ctx.request(`/v1/documents/${homepage.id}`, { bearer: clientA })).status, 404);
  });

  test('uploads get consecutive versions with their sha256, size and audit entry', async () => {
    const before = (await ctx.sql<{ updated_at: Date }[]>`select updated_at from documents where id = ${homepage.id}`)[0];
    const first = await uploadOk(agencyX, homepage.id, new File([v1Bytes], 'homepage-v1.png', { type: 'image/png' }));
    assert.equal(first.version, 1);
    assert.equal(first.sha256, sha256(v1Bytes));
    assert.equal(first.size_bytes, 3000);
    assert.equal(first.content_type, 'image/png');
    assert.equal(first.created_by, 'Studio X');
    assert.equal(first.note, null);
    const second = await uploadOk(
      agencyX,
      homepage.id,
      new File([v2Bytes], 'homepage-v2.pdf', { type: 'application/pdf' }),
      { note: '  Bigger hero image  ', created_by: 'Grace' },
    );
    assert.deepEqual(
      { version: second.version, note: second.note, created_by: second.created_by, sha256: second.sha256 },
      { version: 2, note: 'Bigger hero image', created_by: 'Grace', sha256: sha256(v2Bytes) },
    );
    const after = (await ctx.sql<{ updated_at: Date }[]>`select updated_at from documents where id = ${homepage.id}`)[0];
    assert.ok(after.updated_at > before.updated_at, 'the upload bumps the document');
    const audit = (await auditActions('document.version_added')).filter((e) => e.subject_id === homepage.id);
    assert.deepEqual(
      audit.map((e) => [e.actor_type, e.client_id, e.data.version, e.data.sha256]),
      [
        ['agency', clientAId, 1, sha256(v1Bytes)],
        ['agency', clientAId, 2, sha256(v2Bytes)],
      ],
    );
  });

  test('the client sees the latest version first, with the history one call away', async () => {
    const res = await ctx.request('/v1/documents', { bearer: clientA });
    assert.equal(res.status, 200);
    const [summary, ...rest] = (await res.json()) as DocumentSummary[];
    assert.equal(rest.length, 0);
    assert.deepEqual(Object.keys(summary).sort(), ['id', 'latest', 'project_id', 'title', 'updated_at', 'version_count']);
    assert.deepEqual(Object.keys(summary.latest).sort(), [
      'content_type', 'created_at', 'created_by', 'filename', 'id', 'note', 'sha256', 'size_bytes', 'version', 'viewed',
    ]);
    assert.equal(summary.title, 'Homepage design');
    assert.equal(summary.version_count, 2);
    assert.equal(summary.latest.version, 2);
    assert.equal(summary.latest.viewed, false);
    assert.ok(!Number.isNaN(Date.parse(summary.updated_at)));

    const detail = (await (await ctx.request(`/v1/documents/${homepage.id}`, { bearer: clientA })).json()) as DocumentDetail;
    assert.deepEqual(detail.versions.map((v) => [v.version, v.filename, v.size_bytes, v.viewed]), [
      [2, 'homepage-v2.pdf', v2Bytes.byteLength, false],
      [1, 'homepage-v1.png', 3000, false],
    ]);
    assert.deepEqual(detail.latest, detail.versions[0]);
    assert.equal('client_id' in detail, false, 'the client shape has no agency fields');
  });

  test('downloading gives the exact bytes with safe headers and marks that version viewed, once', async () => {
    const res = await ctx.request(`/v1/documents/${homepage.id}/versions/1/download`, { bearer: clientA });
    assert.equal(res.status, 200);
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(sha256(body), sha256(v1Bytes));
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('content-length'), '3000');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('etag'), `"${sha256(v1Bytes)}"`);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="homepage-v1.png"; filename*=UTF-8''homepage-v1.png`,
    );

    const again = await ctx.request(`/v1/documents/${homepage.id}/versions/1/download`, { bearer: clientA });
    assert.equal(again.status, 200);
    await again.arrayBuffer();

    const detail = (await (await ctx.request(`/v1/documents/${homepage.id}`, { bearer: clientA })).json()) as DocumentDetail;
    assert.deepEqual(detail.versions.map((v) => [v.version, v.viewed]), [[2, false], [1, true]]);
    const viewed = (await auditActions('document.viewed')).filter((e) => e.subject_id === homepage.id);
    assert.deepEqual(viewed.map((e) => [e.actor_type, e.client_id, e.data.version]), [['client', clientAId, 1]]);
    assert.equal(await countRows('document_version_views'), 1);
  });

  test('the agency sees every version and its client', async () => {
    const res = await agencyCall(agencyX, `/documents/${homepage.id}`);
    assert.equal(res.status, 200);
    const detail = (await res.json()) as DocumentDetail & { client_id: string };
    assert.equal(detail.client_id, clientAId);
    assert.deepEqual(detail.versions.map((v) => [v.version, v.viewed]), [[2, false], [1, true]]);
    const list = (await (await agencyCall(agencyX, `/documents?client_id=${clientAId}`)).json()) as DocumentSummary[];
    assert.deepEqual(list.map((d) => [d.id, d.latest.version]), [[homepage.id, 2]]);
  });

  test('filenames lose their path and control characters and download under a UTF-8 name', async () => {
    const doc = await createDocument(agencyX, clientAId, 'Contract');
    const dangerous = new File(['signed'], '../../etc/Vertrag "größe"\u0007.pdf', { type: 'Application/PDF; charset=binary' });
    const version = await uploadOk(agencyX, doc.id, dangerous);
    assert.equal(version.filename, 'Vertrag "größe".pdf');
    assert.equal(version.content_type, 'application/pdf');
    const res = await ctx.request(`/v1/documents/${doc.id}/versions/1/download`, { bearer: clientA });
    assert.equal(await res.text(), 'signed');
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="Vertrag _gr__e_.pdf"; filename*=UTF-8''Vertrag%20%22gr%C3%B6%C3%9Fe%22.pdf`,
    );
    const odd = await uploadOk(agencyX, doc.id, new File(['x'], 'x'.repeat(300), { type: 'not a type' }));
    assert.equal(odd.filename.length, 200);
    assert.equal(odd.content_type, 'application/octet-stream');
  });

  test('invisible format characters are stripped from filenames and refused in titles', async () => {
    const doc = await createDocument(agencyX, clientAId, 'Spoofing');
    const spoofed = await uploadOk(agencyX, doc.id, new File(['x'], 'invoice\u202efdp.exe', { type: 'application/pdf' }));
    assert.equal(spoofed.filename, 'invoicefdp.exe', 'the right-to-left override is gone');
    const hidden = await uploadOk(agencyX, doc.id, new File(['x'], '\u2066re\u200bport\u2069.pdf'));
    assert.equal(hidden.filename, 'report.pdf');
    const nothingVisible = await uploadOk(agencyX, doc.id, new File(['x'], '\u202e\u200b'));
    assert.equal(nothingVisible.filename, 'file');
    const res = await ctx.request(`/v1/documents/${doc.id}/versions/1/download`, { bearer: clientA });
    assert.match(res.headers.get('content-disposition')!, /filename\*=UTF-8''invoicefdp\.exe$/);
    await res.arrayBuffer();

    const documents = await countRows('documents');
    for (const title of ['Contract\u202e', 'Con\u200btract', '\u2067Contract']) {
      const refused = await agencyCall(agencyX, '/documents', { method: 'POST', json: { client_id: clientAId, title } });
      assert.deepEqual(await errorOf(refused), { status: 400, code: 'invalid_request' }, JSON.stringify(title));
    }
    assert.equal(await countRows('documents'), documents);
  });

  test('uploads at the same moment get distinct consecutive versions', async () => {
    const doc = await createDocument(agencyX, clientAId, 'Moodboard');
    const versions = await Promise.all(
      [1, 2, 3, 4].map((n) => uploadOk(agencyX, doc.id, new File([`round ${n}`], `mood-${n}.txt`, { type: 'text/plain' }))),
    );
    assert.deepEqual(versions.map((v) => v.version).sort(), [1, 2, 3, 4]);
  });

  test('the fragments compose into one statement, as /v1/portal uses them', async () => {
    const scope = { agencyId: agencyX.agency_id, clientId: clientAId };
    type Composed = { documents: DocumentSummary[]; elsewhere: DocumentSummary[]; approvals: unknown[] };
    const [row] = await ctx.sql<{ value: Composed }[]>`
      select json_build_object(
        'documents', ${documentsJson(ctx.sql, scope, { limit: 1 })},
        'elsewhere', ${documentsJson(ctx.sql, { ...scope, agencyId: agencyY.agency_id })},
        'approvals', ${approvalsJson(ctx.sql, scope, { status: 'pending' })}) as value`;
    assert.equal(row.value.documents.length, 1, 'the limit applies');
    assert.deepEqual(row.value.elsewhere, [], 'the scope includes the agency');
    assert.deepEqual(row.value.approvals, []);
  });
});

describe('documents: search', () => {
  test('finds titles case-insensitively and treats % and _ literally', async () => {
    for (const title of ['Brand guidelines', 'Homepage 50% mockup', '500 logo ideas', 'Invoice_terms']) {
      const doc = await createDocument(agencyX, clientAId, title);
      await uploadOk(agencyX, doc.id, new File(['x'], 'x.txt'));
    }
    const titles = async (q: string) => {
      const res = await ctx.request(`/v1/documents?q=${encodeURIComponent(q)}`, { bearer: clientA });
      assert.equal(res.status, 200);
      return ((await res.json()) as DocumentSummary[]).map((d) => d.title).sort();
    };
    assert.deepEqual(await titles('BRAND'), ['Brand guidelines']);
    assert.deepEqual(await titles('50%'), ['Homepage 50% mockup']);
    assert.deepEqual(await titles('_'), ['Invoice_terms']);
    assert.deepEqual(await titles('nothing like it'), []);
    assert.equal((await titles('')).length, 8, 'an empty search lists everything');
  });
});

describe('documents: tenant isolation', () => {
  test("another client of the same agency cannot list, read or download a client's documents", async () => {
    const views = await countRows('document_version_views');
    const audits = (await auditActions('document.viewed')).length;
    assert.deepEqual(await (await ctx.request('/v1/documents', { bearer: clientB })).json(), []);
    for (const bearer of [clientB, clientOfY]) {
      for (const path of [`/v1/documents/${homepage.id}`, `/v1/documents/${homepage.id}/versions/2/download`]) {
        const res = await ctx.request(path, { bearer });
        assert.deepEqual(await errorOf(res), { status: 404, code: 'not_found' }, path);
      }
    }
    assert.deepEqual(await (await ctx.request('/v1/documents', { bearer: clientOfY })).json(), []);
    assert.equal(await countRows('document_version_views'), views);
    assert.equal((await auditActions('document.viewed')).length, audits);
  });

  test("another agency cannot read, list, upload to or create documents for the agency's clients", async () => {
    const versions = await countRows('document_versions');
    const documents = await countRows('documents');
    const keys = storedKeys.length;
    assert.deepEqual(await errorOf(await agencyCall(agencyY, `/documents/${homepage.id}`)), { status: 404, code: 'not_found' });
    const uploaded = await upload(agencyY, homepage.id, new File(['evil'], 'evil.txt'));
    assert.deepEqual(await errorOf(uploaded), { status: 404, code: 'not_found' });
    assert.deepEqual(await (await agencyCall(agencyY, '/documents')).json(), []);
    assert.deepEqual(await (await agencyCall(agencyY, `/documents?client_id=${clientAId}`)).json(), []);
    const created = await agencyCall(agencyY, '/documents', { method: 'POST', json: { client_id: clientAId, title: 'Sneaky' } });
    assert.deepEqual(await errorOf(created), { status: 404, code: 'not_found' });

    // A project of another client, even of the same agency, cannot hold this client's document.
    const [project] = await ctx.sql<{ id: string }[]>`
      insert into projects (agency_id, client_id, name) values (${agencyY.agency_id}, ${clientOfYId}, 'Y site') returning id`;
    const crossProject = await agencyCall(agencyX, '/documents', {
      method: 'POST',
      json: { client_id: clientAId, title: 'Crossed', project_id: project.id },
    });
    assert.deepEqual(await errorOf(crossProject), { status: 404, code: 'not_found' });
    const ownProject = await agencyCall(agencyY, '/documents', {
      method: 'POST',
      json: { client_id: clientOfYId, title: 'Sitemap', project_id: project.id },
    });
    assert.equal(ownProject.status, 201);
    assert.equal(((await ownProject.json()) as DocumentSummary).project_id, project.id);

    assert.equal(await countRows('document_versions'), versions);
    assert.equal(await countRows('documents'), documents + 1);
    assert.equal(storedKeys.length, keys);
  });
});

describe('documents: malformed input', () => {
  test('client routes answer 4xx JSON for bad ids, versions and queries', async () => {
    const cases: [string, number][] = [
      ['/v1/documents/not-a-uuid', 404],
      [`/v1/documents/${MISSING}`, 404],
      [`/v1/documents/${homepage.id}/versions/0/download`, 404],
      [`/v1/documents/${homepage.id}/versions/-1/download`, 404],
      [`/v1/documents/${homepage.id}/versions/abc/download`, 404],
      [`/v1/documents/${homepage.id}/versions/99999999999999/download`, 404],
      [`/v1/documents/${homepage.id}/versions/9/download`, 404],
      [`/v1/documents/bad/versions/1/download`, 404],
      [`/v1/documents?q=${'x'.repeat(201)}`, 400],
      ['/v1/documents?q=a&q=b', 400],
    ];
    for (const [path, status] of cases) {
      const res = await ctx.request(path, { bearer: clientA });
      assert.equal(res.status, status, path);
      assert.ok((await errorOf(res)).code, path);
    }
    assert.equal((await ctx.request('/v1/documents')).status, 401);
    assert.equal((await ctx.request(`/v1/documents/${homepage.id}`)).status, 401);
  });

  test('agency document routes answer 4xx JSON for bad bodies and ids', async () => {
    const documents = await countRows('documents');
    const bodies: unknown[] = [
      {},
      { client_id: clientAId },
      { client_id: 'nope', title: 'x' },
      { client_id: clientAId, title: '' },
      { client_id: clientAId, title: '   ' },
      { client_id: clientAId, title: 'x'.repeat(301) },
      { client_id: clientAId, title: 42 },
      { client_id: clientAId, title: 'x', project_id: 7 },
      { client_id: clientAId, title: 'x', project_id: 'not-a-uuid' },
      [],
      'text',
    ];
    for (const json of bodies) {
      const res = await agencyCall(agencyX, '/documents', { method: 'POST', json });
      assert.equal((await errorOf(res)).status, 400, JSON.stringify(json));
    }
    const broken = await agencyCall(agencyX, '/documents', { method: 'POST', ...brokenJson() });
    assert.deepEqual(await errorOf(broken), { status: 400, code: 'invalid_request' });
    const lone = await agencyCall(agencyX, '/documents', { method: 'POST', json: { client_id: clientAId, title: 'Lone \ud800 surrogate' } });
    assert.equal(lone.status, 400);
    assert.match(((await lone.json()) as { error: { message: string } }).error.message, /^title: .*surrogate/);
    const unknownClient = await agencyCall(agencyX, '/documents', { method: 'POST', json: { client_id: MISSING, title: 'x' } });
    assert.deepEqual(await errorOf(unknownClient), { status: 404, code: 'not_found' });
    assert.equal(await countRows('documents'), documents);

    assert.equal((await errorOf(await agencyCall(agencyX, '/documents?client_id=abc'))).status, 400);
    assert.equal((await errorOf(await agencyCall(agencyX, '/documents/abc'))).status, 404);
    assert.equal((await errorOf(await agencyCall(agencyX, `/documents/${MISSING}`))).status, 404);
    assert.equal((await ctx.request('/v1/agency/documents')).status, 401);
  });

  test('uploads answer 4xx JSON for a missing, empty or doubled file, bad fields and bad bodies', async () => {
    const versions = await countRows('document_versions');
    const keys = storedKeys.length;
    const path = `/documents/${homepage.id}/versions`;
    const form = (entries: [string, string | File][]) => {
      const data = new FormData();
      for (const [name, value] of entries) data.append(name, value);
      return data;
    };
    const file = () => new File(['ok'], 'ok.txt');
    const badForms = [
      form([]),
      form([['note', 'no file']]),
      form([['file', 'just a string']]),
      form([['file', new File([], 'empty.txt')]]),
      form([['file', file()], ['file', file()]]),
      form([['file', file()], ['note', 'n'.repeat(2001)]]),
      form([['file', file()], ['created_by', 'c'.repeat(201)]]),
    ];
    for (const body of badForms) {
      const res = await agencyCall(agencyX, path, { method: 'POST', body });
      assert.deepEqual(await errorOf(res), { status: 400, code: 'invalid_request' });
    }
    const asJson = await agencyCall(agencyX, path, { method: 'POST', json: { file: 'abc' } });
    assert.equal((await errorOf(asJson)).status, 400);
    const garbage = await agencyCall(agencyX, path, {
      method: 'POST',
      body: 'this is not multipart',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    assert.equal((await errorOf(garbage)).status, 400);
    const badId = await agencyCall(agencyX, '/documents/nope/versions', { method: 'POST', body: form([['file', file()]]) });
    assert.equal((await errorOf(badId)).status, 404);
    const missing = await agencyCall(agencyX, `/documents/${MISSING}/versions`, {
      method: 'POST',
      body: form([['file', file()]]),
    });
    assert.equal((await errorOf(missing)).status, 404);
    assert.equal(await countRows('document_versions'), versions);
    assert.equal(storedKeys.length, keys);
  });

  test('an upload over the limit answers 413 and stores nothing', async () => {
    const versions = await countRows('document_versions');
    const keys = storedKeys.length;
    ctx.env.maxUploadBytes = 1024;
    try {
      // Just over the limit: caught once the form is read.
      const slightly = await upload(agencyX, homepage.id, new File([new Uint8Array(1025)], 'big.bin'));
      assert.deepEqual(await errorOf(slightly), { status: 413, code: 'payload_too_large' });
      // Far over: refused while the body streams in, before it is read in full.
      const far = await upload(agencyX, homepage.id, new File([new Uint8Array(200_000)], 'huge.bin'));
      assert.deepEqual(await errorOf(far), { status: 413, code: 'payload_too_large' });
      // A declared length over the limit is refused before reading anything.
      const declared = await agencyCall(agencyX, `/documents/${homepage.id}/versions`, {
        method: 'POST',
        body: new Uint8Array(100_000),
        headers: { 'content-type': 'multipart/form-data; boundary=xyz', 'content-length': '100000' },
      });
      assert.deepEqual(await errorOf(declared), { status: 413, code: 'payload_too_large' });
      // At the limit is fine.
      const exact = await uploadOk(agencyX, homepage.id, new File([new Uint8Array(1024)], 'exact.bin'));
      assert.equal(exact.size_bytes, 1024);
    } finally {
      delete ctx.env.maxUploadBytes;
    }
    assert.equal(await countRows('document_versions'), versions + 1);
    assert.equal(storedKeys.length, keys + 1);
  });
});
