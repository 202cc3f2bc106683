import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CreatedAgency } from '../db/agencies.ts';
import { migrate } from '../db/migrate.ts';
import { connect } from '../db/sql.ts';
import { loadMigrations } from '../node.ts';
import type { Approval, DocumentVersion, PortalResponse } from '../types.ts';
import { brokenJson, expectStatus } from './agency-helpers.ts';
import { adminUrl, embedded, setup } from './helpers.ts';

const ctx = await setup();

const agencyX = await ctx.agency({ name: 'Studio X' });
const agencyY = await ctx.agency({ name: 'Studio Y' });
const clientA = await ctx.signIn(agencyX, 'client-a', { name: 'Ada Lovelace', email: 'ada@example.com' });
const clientB = await ctx.signIn(agencyX, 'client-b');
const clientOfY = await ctx.signIn(agencyY, 'client-y');
const clientIds = Object.fromEntries(
  (await ctx.sql<{ external_id: string; id: string }[]>`select external_id, id from clients`).map((c) => [c.external_id, c.id]),
);

const MISSING = '00000000-0000-4000-8000-000000000000';
const NOT_FOUND = { status: 404, code: 'not_found' };

type AgencyApproval = Approval & { client_id: string; withdrawn_at: string | null };

function agencyCall(agency: CreatedAgency, path: string, init: RequestInit & { json?: unknown } = {}) {
  return ctx.request(`/v1/agency${path}`, { ...init, bearer: agency.api_key });
}

/** A document of `clientId` with `count` versions uploaded through the API; answers the versions, oldest first. */
async function documentWithVersions(agency: CreatedAgency, clientId: string, title: string, count: number) {
  const doc = await expectStatus<{ id: string }>(
    await agencyCall(agency, '/documents', { method: 'POST', json: { client_id: clientId, title } }),
    201,
  );
  const versions: Omit<DocumentVersion, 'viewed'>[] = [];
  for (let n = 1; n <= count; n++) {
    const form = new FormData();
    form.set('file', new File([`${title} round ${n}`], `${title}-v${n}.pdf`, { type: 'application/pdf' }));
    form.set('note', `Round ${n}`);
    versions.push(await expectStatus(await agencyCall(agency, `/documents/${doc.id}/versions`, { method: 'POST', body: form }), 201));
  }
  return { id: doc.id, versions };
}

function requestApproval(agency: CreatedAgency, body: Record<string, unknown>) {
  return agencyCall(agency, '/approvals', { method: 'POST', json: body });
}

/** A request the agency makes that must succeed. */
async function requested(body: Record<string, unknown>) {
  return expectStatus<AgencyApproval>(await requestApproval(agencyX, body), 201);
}

function decide(bearer: string, id: string, body: unknown) {
  return ctx.request(`/v1/approvals/${id}/decision`, { method: 'POST', bearer, json: body });
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(typeof body.error.message, 'string');
  return { status: res.status, code: body.error.code };
}

/** What a refused request must leave untouched. */
async function snapshot() {
  const [row] = await ctx.sql<{ requests: number; pending: number; decisions: number; audit: number }[]>`
    select (select count(*)::int from approval_requests) as requests,
           (select count(*)::int from approval_requests where status = 'pending') as pending,
           (select count(*)::int from approval_decisions) as decisions,
           (select count(*)::int from audit_log where action like 'approval.%') as audit`;
  return row;
}

const homepage = await documentWithVersions(agencyX, clientIds['client-a'], 'Homepage', 2);
const [homepageV1, homepageV2] = homepage.versions;

describe('approvals: request and decide', () => {
  let approval: AgencyApproval;

  test('the agency asks for one exact version, with a default title, and it is audited', async () => {
    approval = await requested({
      document_version_id: homepageV1.id,
      message: 'Please check the hero.',
      due_on: '2030-01-31',
    });
    assert.equal(approval.title, 'Approve Homepage v1');
    assert.equal(approval.status, 'pending');
    assert.equal(approval.requested_by, 'Studio X');
    assert.equal(approval.message, 'Please check the hero.');
    assert.equal(approval.due_on, '2030-01-31');
    assert.equal(approval.client_id, clientIds['client-a']);
    assert.deepEqual(approval.document, { id: homepage.id, title: 'Homepage' });
    const { created_at: _versionTime, ...version } = approval.version;
    assert.deepEqual(version, { id: homepageV1.id, version: 1, filename: 'Homepage-v1.pdf', note: 'Round 1' });
    assert.equal(approval.decision, null);
    const [audit] = await ctx.sql<{ actor_type: string; client_id: string; data: Record<string, unknown> }[]>`
      select actor_type, client_id, data from audit_log where action = 'approval.requested' and subject_id = ${approval.id}`;
    assert.equal(audit.actor_type, 'agency');
    assert.equal(audit.client_id, clientIds['client-a']);
    assert.equal(audit.data.version, 1);
  });

  test('the client sees it, bound to the version it was asked about, in the client shape', async () => {
    const [listed, ...others] = await expectStatus<Approval[]>(await ctx.request('/v1/approvals', { bearer: clientA }), 200);
    assert.equal(others.length, 0);
    assert.deepEqual(Object.keys(listed).sort(), [
      'created_at', 'decision', 'document', 'due_on', 'id', 'message', 'requested_by', 'status', 'superseded', 'title',
      'version',
    ]);
    assert.deepEqual(Object.keys(listed.version).sort(), ['created_at', 'filename', 'id', 'note', 'version']);
    assert.equal(listed.superseded, true, 'v2 of Homepage is out, so the request for v1 is superseded');
    const { client_id: _agencyOnly, withdrawn_at: _agencyToo, ...clientShape } = approval;
    assert.equal(approval.withdrawn_at, null);
    assert.deepEqual(listed, clientShape);
    assert.deepEqual(await expectStatus(await ctx.request(`/v1/approvals/${approval.id}`, { bearer: clientA }), 200), clientShape);
  });

  test('the client approves once: the decision records the exact version, who, and is audited', async () => {
    const answer = await decide(clientA, approval.id, { decision: 'approved', comment: '  Looks great  ' });
    const decided = await expectStatus<Approval>(answer, 200);
    assert.equal(decided.status, 'approved');
    assert.equal(decided.version.version, 1, 'still bound to v1 although v2 exists');
    const { decided_at, ...decision } = decided.decision!;
    assert.deepEqual(decision, {
      decision: 'approved',
      comment: 'Looks great',
      actor_name: 'Ada Lovelace',
      actor_email: 'ada@example.com',
    });
    assert.ok(!Number.isNaN(Date.parse(decided_at)));

    const rows = await ctx.sql`
      select document_version_id, decision, client_id from approval_decisions where approval_request_id = ${approval.id}`;
    assert.deepEqual([...rows], [{ document_version_id: homepageV1.id, decision: 'approved', client_id: clientIds['client-a'] }]);
    const audit = await ctx.sql<{ actor_type: string; data: Record<string, unknown> }[]>`
      select actor_type, data from audit_log where action = 'approval.decided' and subject_id = ${approval.id}`;
    assert.deepEqual([...audit], [{ actor_type: 'client', data: { decision: 'approved', version: 1, comment: 'Looks great' } }]);

    const agencyView = await expectStatus<AgencyApproval>(await agencyCall(agencyX, `/approvals/${approval.id}`), 200);
    assert.deepEqual(agencyView.decision, decided.decision);
  });

  test('a second decision answers 409 already_decided and changes nothing', async () => {
    const before = await snapshot();
    const again = await decide(clientA, approval.id, { decision: 'changes_requested', comment: 'Wait' });
    assert.deepEqual(await errorOf(again), { status: 409, code: 'already_decided' });
    assert.deepEqual(await snapshot(), before);
    const current = await expectStatus<Approval>(await ctx.request(`/v1/approvals/${approval.id}`, { bearer: clientA }), 200);
    assert.equal(current.status, 'approved');
  });

  test('two decisions arriving at once record exactly one', async () => {
    for (let round = 0; round < 5; round++) {
      const request = await requested({ document_version_id: homepageV2.id });
      const answers = await Promise.all([
        decide(clientA, request.id, { decision: 'approved' }),
        decide(clientA, request.id, { decision: 'changes_requested', comment: 'No' }),
      ]);
      assert.deepEqual(answers.map((res) => res.status).sort(), [200, 409]);
      const loser = answers.find((res) => res.status === 409)!;
      assert.equal((await errorOf(loser)).code, 'already_decided');
      const winner = await expectStatus<Approval>(answers.find((res) => res.status === 200)!, 200);
      const decisions = await ctx.sql<{ decision: string }[]>`
        select decision from approval_decisions where approval_request_id = ${request.id}`;
      assert.deepEqual(decisions.map((d) => d.decision), [winner.status]);
      const audit = await ctx.sql`select 1 from audit_log where action = 'approval.decided' and subject_id = ${request.id}`;
      assert.equal(audit.length, 1);
    }
  });

  test('a blank comment is stored as no comment; changes can be requested', async () => {
    const request = await requested({ document_version_id: homepageV2.id, title: 'Final check' });
    assert.equal(request.title, 'Final check');
    const answer = await decide(clientA, request.id, { decision: 'changes_requested', comment: '   ' });
    const decided = await expectStatus<Approval>(answer, 200);
    assert.equal(decided.status, 'changes_requested');
    assert.equal(decided.decision!.comment, null);
  });
});

describe('approvals: lists', () => {
  test('pending come first, oldest first; decided follow, newest decision first; status filters', async () => {
    const logo = await documentWithVersions(agencyX, clientIds['client-a'], 'Logo', 4);
    const older = await requested({ document_version_id: logo.versions[0].id, title: 'Older' });
    const newer = await requested({ document_version_id: logo.versions[1].id, title: 'Newer' });
    const decidedFirst = await requested({ document_version_id: logo.versions[2].id, title: 'Decided first' });
    const decidedLast = await requested({ document_version_id: logo.versions[3].id, title: 'Decided last' });
    await expectStatus(await decide(clientA, decidedFirst.id, { decision: 'approved' }), 200);
    await expectStatus(await decide(clientA, decidedLast.id, { decision: 'approved' }), 200);

    const all = await expectStatus<Approval[]>(await ctx.request('/v1/approvals', { bearer: clientA }), 200);
    const statuses = all.map((a) => a.status);
    assert.deepEqual(statuses.slice(0, 2), ['pending', 'pending']);
    assert.ok(statuses.slice(2).every((s) => s !== 'pending'));
    assert.deepEqual(all.slice(0, 2).map((a) => a.id), [older.id, newer.id]);
    assert.deepEqual(all.slice(2, 4).map((a) => a.id), [decidedLast.id, decidedFirst.id]);

    const pending = await expectStatus<Approval[]>(await ctx.request('/v1/approvals?status=pending', { bearer: clientA }), 200);
    assert.deepEqual(pending.map((a) => a.id), [older.id, newer.id]);
    const decided = await expectStatus<Approval[]>(await ctx.request('/v1/approvals?status=decided', { bearer: clientA }), 200);
    assert.deepEqual(decided.map((a) => a.id), all.slice(2).map((a) => a.id));
    assert.deepEqual(await expectStatus(await ctx.request('/v1/approvals?status=all', { bearer: clientA }), 200), all);
  });

  test("the agency lists every client's requests, or one client's, with status filters", async () => {
    const brief = await documentWithVersions(agencyX, clientIds['client-b'], 'Brief', 1);
    const forB = await requested({ document_version_id: brief.versions[0].id });
    const everyone = await expectStatus<AgencyApproval[]>(await agencyCall(agencyX, '/approvals'), 200);
    assert.ok(everyone.some((a) => a.id === forB.id));
    assert.ok(everyone.some((a) => a.client_id === clientIds['client-a']));
    const onlyB = await expectStatus<AgencyApproval[]>(await agencyCall(agencyX, `/approvals?client_id=${clientIds['client-b']}`), 200);
    assert.deepEqual(onlyB.map((a) => a.id), [forB.id]);
    const pendingA = await expectStatus<AgencyApproval[]>(
      await agencyCall(agencyX, `/approvals?client_id=${clientIds['client-a']}&status=pending`),
      200,
    );
    assert.ok(pendingA.length > 0 && pendingA.every((a) => a.status === 'pending' && a.client_id === clientIds['client-a']));
  });
});

describe('approvals: tenant isolation', () => {
  test("another client cannot list, read or decide a client's approval", async () => {
    const pending = await requested({ document_version_id: homepageV2.id, title: 'Only for A' });
    const before = await snapshot();
    for (const bearer of [clientB, clientOfY]) {
      const listed = await expectStatus<Approval[]>(await ctx.request('/v1/approvals', { bearer }), 200);
      assert.ok(!listed.some((a) => a.id === pending.id));
      assert.deepEqual(await errorOf(await ctx.request(`/v1/approvals/${pending.id}`, { bearer })), NOT_FOUND);
      assert.deepEqual(await errorOf(await decide(bearer, pending.id, { decision: 'approved' })), NOT_FOUND);
    }
    assert.deepEqual(await snapshot(), before);
    const still = await expectStatus<Approval>(await ctx.request(`/v1/approvals/${pending.id}`, { bearer: clientA }), 200);
    assert.equal(still.status, 'pending');
  });

  test("another agency cannot read, list or request approval of the agency's versions", async () => {
    const [someApproval] = await expectStatus<AgencyApproval[]>(await agencyCall(agencyX, '/approvals'), 200);
    const before = await snapshot();
    assert.deepEqual(await errorOf(await agencyCall(agencyY, `/approvals/${someApproval.id}`)), NOT_FOUND);
    assert.deepEqual(await expectStatus(await agencyCall(agencyY, '/approvals'), 200), []);
    assert.deepEqual(await expectStatus(await agencyCall(agencyY, `/approvals?client_id=${clientIds['client-a']}`), 200), []);
    const stolen = await requestApproval(agencyY, { document_version_id: homepageV1.id });
    assert.deepEqual(await errorOf(stolen), NOT_FOUND);
    assert.deepEqual(await snapshot(), before);
  });
});

describe('approvals: malformed input', () => {
  test('client routes answer 4xx JSON for bad ids, statuses and decisions', async () => {
    const sketch = await documentWithVersions(agencyX, clientIds['client-a'], 'Sketch', 1);
    const request = await requested({ document_version_id: sketch.versions[0].id });
    const before = await snapshot();
    assert.equal((await errorOf(await ctx.request('/v1/approvals/not-a-uuid', { bearer: clientA }))).status, 404);
    assert.equal((await errorOf(await ctx.request(`/v1/approvals/${MISSING}`, { bearer: clientA }))).status, 404);
    assert.equal((await errorOf(await ctx.request('/v1/approvals?status=maybe', { bearer: clientA }))).status, 400);
    assert.equal((await errorOf(await decide(clientA, 'not-a-uuid', { decision: 'approved' }))).status, 404);
    assert.equal((await errorOf(await decide(clientA, MISSING, { decision: 'approved' }))).status, 404);
    const badBodies: unknown[] = [
      {},
      { decision: 'maybe' },
      { decision: 'APPROVED' },
      { decision: ['approved'] },
      { decision: 'approved', comment: 5 },
      { decision: 'approved', comment: 'x'.repeat(5001) },
      null,
      [],
      'approved',
    ];
    for (const body of badBodies) {
      const res = await decide(clientA, request.id, body);
      assert.deepEqual(await errorOf(res), { status: 400, code: 'invalid_request' }, JSON.stringify(body));
    }
    const broken = await ctx.request(`/v1/approvals/${request.id}/decision`, {
      method: 'POST',
      bearer: clientA,
      ...brokenJson('{"decision":'),
    });
    assert.deepEqual(await errorOf(broken), { status: 400, code: 'invalid_request' });
    const noType = await ctx.request(`/v1/approvals/${request.id}/decision`, {
      method: 'POST',
      bearer: clientA,
      body: 'approved',
    });
    assert.equal((await errorOf(noType)).status, 400);
    assert.equal((await decide('', request.id, { decision: 'approved' })).status, 401);
    assert.deepEqual(await snapshot(), before);
    // A long comment within the limit is fine.
    const ok = await expectStatus<Approval>(await decide(clientA, request.id, { decision: 'approved', comment: 'x'.repeat(5000) }), 200);
    assert.equal(ok.decision!.comment!.length, 5000);
  });

  test('agency routes answer 4xx JSON for bad bodies, queries and ids', async () => {
    const before = await snapshot();
    const badBodies: unknown[] = [
      {},
      { document_version_id: 'nope' },
      { document_version_id: 12 },
      { document_version_id: homepageV1.id, title: '' },
      { document_version_id: homepageV1.id, title: 'x'.repeat(301) },
      { document_version_id: homepageV1.id, message: 7 },
      { document_version_id: homepageV1.id, message: 'x'.repeat(5001) },
      { document_version_id: homepageV1.id, due_on: '2030-02-30' },
      { document_version_id: homepageV1.id, due_on: '0000-01-01' },
      { document_version_id: homepageV1.id, due_on: '31/01/2030' },
      { document_version_id: homepageV1.id, due_on: '2030-01-31T00:00:00Z' },
      [],
    ];
    for (const body of badBodies) {
      const res = await requestApproval(agencyX, body as never);
      assert.deepEqual(await errorOf(res), { status: 400, code: 'invalid_request' }, JSON.stringify(body));
    }
    const broken = await agencyCall(agencyX, '/approvals', { method: 'POST', ...brokenJson() });
    assert.equal((await errorOf(broken)).status, 400);
    assert.deepEqual(await errorOf(await requestApproval(agencyX, { document_version_id: MISSING })), NOT_FOUND);
    assert.equal((await errorOf(await agencyCall(agencyX, '/approvals?status=open'))).status, 400);
    assert.equal((await errorOf(await agencyCall(agencyX, '/approvals?client_id=abc'))).status, 400);
    assert.equal((await errorOf(await agencyCall(agencyX, '/approvals/abc'))).status, 404);
    assert.equal((await errorOf(await agencyCall(agencyX, `/approvals/${MISSING}`))).status, 404);
    assert.equal((await ctx.request('/v1/agency/approvals')).status, 401);
    assert.deepEqual(await snapshot(), before);
  });
});

describe('approvals: the schema binds each request to a version of its own document', () => {
  /** Runs a raw statement and answers the SQLSTATE it failed with (or 'ok'). */
  async function sqlState(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
      return 'ok';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  }

  test('a request naming a version of another document, or of another agency, is refused by the database', async () => {
    const other = await documentWithVersions(agencyX, clientIds['client-a'], 'Other', 1);
    const ofY = await documentWithVersions(agencyY, clientIds['client-y'], 'Y secret', 1);
    const before = await snapshot();
    for (const foreignVersion of [other.versions[0].id, ofY.versions[0].id]) {
      const state = await sqlState(() => ctx.sql`
        insert into approval_requests (agency_id, client_id, document_id, document_version_id, title, requested_by)
        values (${agencyX.agency_id}, ${clientIds['client-a']}, ${homepage.id}, ${foreignVersion}, 'Crossed', 'x')`);
      assert.equal(state, '23503', 'a foreign key violation');
    }
    assert.deepEqual(await snapshot(), before);
  });

  test("a decision naming another version, or another client, than its request's is refused by the database", async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Bound', 2);
    const request = await requested({ document_version_id: doc.versions[1].id });
    const decision = (versionId: string, clientId: string) => sqlState(() => ctx.sql`
      insert into approval_decisions (approval_request_id, document_version_id, decision, client_id)
      values (${request.id}, ${versionId}, 'approved', ${clientId})`);
    assert.equal(await decision(doc.versions[0].id, clientIds['client-a']), '23503');
    assert.equal(await decision(doc.versions[1].id, clientIds['client-b']), '23503');
    const [{ n }] = await ctx.sql`select count(*)::int as n from approval_decisions where approval_request_id = ${request.id}`;
    assert.equal(n, 0);
  });

  test("a view of another client's document version is refused by the database", async () => {
    const state = await sqlState(() => ctx.sql`
      insert into document_version_views (client_id, document_version_id)
      values (${clientIds['client-b']}, ${homepageV1.id})`);
    assert.equal(state, '23503');
  });
});

describe('approvals: managing a request after it is made', () => {
  const withdraw = (agency: CreatedAgency, id: string) => agencyCall(agency, `/approvals/${id}/withdraw`, { method: 'POST' });

  async function portalOf(bearer: string) {
    return expectStatus<PortalResponse>(await ctx.request('/v1/portal', { bearer }), 200);
  }

  test("a withdrawn request leaves the client's pending list and next actions, cannot be decided, and is audited", async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Proposal', 1);
    const request = await requested({ document_version_id: doc.versions[0].id, title: 'Approve the proposal' });
    const pendingIds = async () => (await portalOf(clientA)).approvals.map((a) => a.id);
    const actionIds = async () =>
      (await portalOf(clientA)).next_actions.flatMap((a) => (a.kind === 'approval' ? [a.approval_id] : []));
    assert.ok((await pendingIds()).includes(request.id));
    assert.ok((await actionIds()).includes(request.id));

    const withdrawn = await expectStatus<AgencyApproval>(await withdraw(agencyX, request.id), 200);
    assert.equal(withdrawn.status, 'withdrawn');
    assert.ok(!Number.isNaN(Date.parse(withdrawn.withdrawn_at!)));
    assert.equal(withdrawn.decision, null);

    assert.ok(!(await pendingIds()).includes(request.id), 'gone from the portal');
    assert.ok(!(await actionIds()).includes(request.id), 'gone from the next actions');
    const pending = await expectStatus<Approval[]>(await ctx.request('/v1/approvals?status=pending', { bearer: clientA }), 200);
    assert.ok(!pending.some((a) => a.id === request.id));
    const decided = await expectStatus<Approval[]>(await ctx.request('/v1/approvals?status=decided', { bearer: clientA }), 200);
    assert.ok(!decided.some((a) => a.id === request.id), 'withdrawn is not decided');
    const onlyWithdrawn = await expectStatus<Approval[]>(await ctx.request('/v1/approvals?status=withdrawn', { bearer: clientA }), 200);
    assert.deepEqual(onlyWithdrawn.map((a) => a.id), [request.id]);
    // A deep link to it still opens it, and says what happened.
    const opened = await expectStatus<Approval>(await ctx.request(`/v1/approvals/${request.id}`, { bearer: clientA }), 200);
    assert.equal(opened.status, 'withdrawn');

    const before = await snapshot();
    assert.deepEqual(await errorOf(await decide(clientA, request.id, { decision: 'approved' })), { status: 409, code: 'withdrawn' });
    assert.deepEqual(await errorOf(await withdraw(agencyX, request.id)), { status: 409, code: 'withdrawn' });
    assert.deepEqual(await snapshot(), before);

    const audit = await ctx.sql<{ actor_type: string; client_id: string; data: Record<string, unknown> }[]>`
      select actor_type, client_id, data from audit_log where action = 'approval.withdrawn' and subject_id = ${request.id}`;
    assert.deepEqual(
      audit.map((e) => [e.actor_type, e.client_id, e.data.document_version_id]),
      [['agency', clientIds['client-a'], doc.versions[0].id]],
    );
  });

  test('a decided request cannot be withdrawn', async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Decided', 1);
    const request = await requested({ document_version_id: doc.versions[0].id });
    await expectStatus(await decide(clientA, request.id, { decision: 'approved' }), 200);
    const before = await snapshot();
    assert.deepEqual(await errorOf(await withdraw(agencyX, request.id)), { status: 409, code: 'already_decided' });
    assert.deepEqual(await snapshot(), before);
    const still = await expectStatus<Approval>(await ctx.request(`/v1/approvals/${request.id}`, { bearer: clientA }), 200);
    assert.equal(still.status, 'approved');
  });

  test("another agency cannot withdraw the agency's request; bad ids and missing keys are refused", async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Guarded', 1);
    const request = await requested({ document_version_id: doc.versions[0].id });
    const before = await snapshot();
    assert.deepEqual(await errorOf(await withdraw(agencyY, request.id)), NOT_FOUND);
    assert.deepEqual(await errorOf(await withdraw(agencyX, MISSING)), NOT_FOUND);
    assert.deepEqual(await errorOf(await withdraw(agencyX, 'not-a-uuid')), NOT_FOUND);
    assert.equal((await ctx.request(`/v1/agency/approvals/${request.id}/withdraw`, { method: 'POST' })).status, 401);
    const asClient = await ctx.request(`/v1/agency/approvals/${request.id}/withdraw`, { method: 'POST', bearer: clientA });
    assert.equal(asClient.status, 401, 'a client session is not an API key');
    assert.deepEqual(await snapshot(), before);
    const still = await expectStatus<Approval>(await ctx.request(`/v1/approvals/${request.id}`, { bearer: clientA }), 200);
    assert.equal(still.status, 'pending');
  });

  test('a version has one pending request at a time; once it is closed, a new one can be made', async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Once', 1);
    const versionId = doc.versions[0].id;
    const first = await requested({ document_version_id: versionId });
    const before = await snapshot();
    const again = await requestApproval(agencyX, { document_version_id: versionId, title: 'Again' });
    assert.deepEqual(await errorOf(again), { status: 409, code: 'already_pending' });
    assert.deepEqual(await snapshot(), before);

    await expectStatus(await withdraw(agencyX, first.id), 200);
    const second = await requested({ document_version_id: versionId, title: 'Second try' });
    await expectStatus(await decide(clientA, second.id, { decision: 'changes_requested', comment: 'Not yet' }), 200);
    const third = await requested({ document_version_id: versionId, title: 'Third try' });
    assert.equal(third.status, 'pending');
  });

  test('two requests for the same version at once create exactly one', async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Raced', 1);
    const answers = await Promise.all(
      [1, 2, 3].map((n) => requestApproval(agencyX, { document_version_id: doc.versions[0].id, title: `Race ${n}` })),
    );
    assert.deepEqual(answers.map((res) => res.status).sort(), [201, 409, 409]);
    const rows = await ctx.sql`select 1 from approval_requests where document_id = ${doc.id}`;
    assert.equal(rows.length, 1);
  });

  test('a newer version marks pending requests on older versions superseded; they stay pending', async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Poster', 1);
    const onV1 = await requested({ document_version_id: doc.versions[0].id });
    assert.equal(onV1.superseded, false);

    const form = new FormData();
    form.set('file', new File(['Poster round 2'], 'poster-v2.pdf', { type: 'application/pdf' }));
    const v2 = await expectStatus<{ id: string }>(await agencyCall(agencyX, `/documents/${doc.id}/versions`, { method: 'POST', body: form }), 201);
    const onV2 = await requested({ document_version_id: v2.id });

    const pending = (await portalOf(clientA)).approvals;
    const seenV1 = pending.find((a) => a.id === onV1.id)!;
    const seenV2 = pending.find((a) => a.id === onV2.id)!;
    assert.deepEqual([seenV1.status, seenV1.superseded, seenV1.version.version], ['pending', true, 1]);
    assert.deepEqual([seenV2.status, seenV2.superseded, seenV2.version.version], ['pending', false, 2]);
    // The old request can still be decided; it stays bound to v1.
    const decided = await expectStatus<Approval>(await decide(clientA, onV1.id, { decision: 'approved' }), 200);
    assert.equal(decided.version.id, doc.versions[0].id);
  });
});

describe('approvals: titles and dates', () => {
  test('the default title of a document with a long title is shortened to fit, not refused', async () => {
    const longTitle = 'T'.repeat(300);
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], longTitle, 1);
    const request = await requested({ document_version_id: doc.versions[0].id });
    assert.equal(request.title.length, 300);
    assert.ok(request.title.startsWith('Approve TTT'));
    assert.ok(request.title.endsWith('T… v1'), request.title.slice(-10));
    assert.equal(request.document.title, longTitle, 'the document keeps its full title');
  });

  test('due dates outside 2000–2100, and text with invisible format characters or unpaired surrogates, are refused', async () => {
    const doc = await documentWithVersions(agencyX, clientIds['client-a'], 'Dated', 1);
    const versionId = doc.versions[0].id;
    const before = await snapshot();
    for (const body of [
      { due_on: '0001-01-01' },
      { due_on: '1999-12-31' },
      { due_on: '2101-01-01' },
      { due_on: '9999-12-31' },
      { title: 'Approve \u202eFDP.exe' },
      { title: 'Invoice\u200b 12' },
      { title: 'Line\nbreak' },
    ]) {
      const res = await requestApproval(agencyX, { document_version_id: versionId, ...body });
      assert.deepEqual(await errorOf(res), { status: 400, code: 'invalid_request' }, JSON.stringify(body));
    }
    for (const field of ['title', 'message']) {
      const res = await requestApproval(agencyX, { document_version_id: versionId, [field]: 'Lone \udc00 surrogate' });
      assert.equal(res.status, 400);
      const { error } = (await res.json()) as { error: { message: string } };
      assert.match(error.message, new RegExp(`^${field}: .*surrogate`));
    }
    assert.deepEqual(await snapshot(), before);

    const pending = await requested({ document_version_id: versionId });
    const lone = await decide(clientA, pending.id, { decision: 'approved', comment: 'half an emoji \ud83d' });
    assert.equal(lone.status, 400);
    assert.match(((await lone.json()) as { error: { message: string } }).error.message, /^comment: .*surrogate/);
    const still = await expectStatus<Approval>(await ctx.request(`/v1/approvals/${pending.id}`, { bearer: clientA }), 200);
    assert.equal(still.status, 'pending');
    await expectStatus(await agencyCall(agencyX, `/approvals/${pending.id}/withdraw`, { method: 'POST' }), 200);
    const edge = await requested({ document_version_id: versionId, due_on: '2100-12-31', title: 'Ka\u200dfe' });
    assert.equal(edge.due_on, '2100-12-31');
    assert.equal(edge.title, 'Ka\u200dfe', 'a zero-width joiner, which scripts and emoji need, is kept');
  });
});

describe('approvals: migration 002 on a database that already has data', () => {
  test('duplicate pending requests keep the oldest, the rest are withdrawn and audited; invoice views carry over', { skip: embedded && 'needs a Postgres server to create a database on' }, async () => {
    const name = `porch_test_m002_${process.pid}_${Date.now()}`;
    const admin = connect(adminUrl, { max: 1 });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = connect(url.toString(), { max: 1 });
    try {
      const migrations = await loadMigrations();
      await migrate(db, migrations.filter((m) => m.version === 1));
      const [{ client }] = await db`
        with a as (insert into agencies (id, name) values ('old-agency', 'Old') returning id)
        insert into clients (agency_id, external_id) select id, 'c1' from a returning id as client`;
      const [{ document }] = await db`
        insert into documents (agency_id, client_id, title) values ('old-agency', ${client}, 'Doc') returning id as document`;
      const [{ version }] = await db`
        insert into document_versions (document_id, version, file_key, filename, content_type, size_bytes, sha256, created_by)
        values (${document}, 1, 'k', 'f.pdf', 'application/pdf', 1, ${'0'.repeat(64)}, 'x') returning id as version`;
      const requestAt = async (createdAt: string) => (await db`
        insert into approval_requests (agency_id, client_id, document_id, document_version_id, title, requested_by, created_at)
        values ('old-agency', ${client}, ${document}, ${version}, 'Approve', 'Old', ${createdAt}) returning id`)[0].id as string;
      const oldest = await requestAt('2025-01-01T00:00:00Z');
      const later = await requestAt('2025-02-01T00:00:00Z');
      const [{ invoice }] = await db`
        insert into invoices (agency_id, client_id, number, currency, issued_on, due_on, subtotal_minor, tax_minor, total_minor)
        values ('old-agency', ${client}, 'N-1', 'USD', '2025-01-01', '2025-02-01', 1, 0, 1) returning id as invoice`;
      for (const at of ['2025-01-05T10:00:00Z', '2025-01-09T10:00:00Z']) {
        await db`
          insert into audit_log (agency_id, client_id, actor_type, actor_id, action, subject_type, subject_id, created_at)
          values ('old-agency', ${client}, 'client', 'c1', 'invoice.viewed', 'invoice', ${invoice}, ${at})`;
      }

      assert.deepEqual(await migrate(db, migrations), migrations.filter((m) => m.version > 1).map((m) => m.version));

      const statuses = await db<{ id: string; status: string; withdrawn: boolean }[]>`
        select id, status, withdrawn_at is not null as withdrawn from approval_requests order by created_at`;
      assert.deepEqual(statuses.map((r) => ({ ...r })), [
        { id: oldest, status: 'pending', withdrawn: false },
        { id: later, status: 'withdrawn', withdrawn: true },
      ]);
      const audit = await db`select actor_type, subject_id from audit_log where action = 'approval.withdrawn'`;
      assert.deepEqual(audit.map((e) => ({ ...e })), [{ actor_type: 'system', subject_id: later }]);
      const views = await db<{ client_id: string; first_viewed_at: Date }[]>`
        select client_id, first_viewed_at from invoice_views where invoice_id = ${invoice}`;
      assert.deepEqual(views.map((v) => [v.client_id, v.first_viewed_at.toISOString()]), [[client, '2025-01-05T10:00:00.000Z']]);
    } finally {
      await db.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    }
  });
});
