import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { projectsJson } from '../db/projects.ts';
import type { Project } from '../types.ts';
import { agencyCaller, brokenJson, expectError, expectStatus } from './agency-helpers.ts';
import { setup } from './helpers.ts';

const ctx = await setup();
const agency = await ctx.agency();
const otherAgency = await ctx.agency({ name: 'Other Agency' });

const agencyApi = agencyCaller(ctx, agency.api_key);
const otherApi = agencyCaller(ctx, otherAgency.api_key);

type AgencyProject = Project & { client_id: string; created_at: string };
const PHASES = ['Discovery', 'Design Review', 'Build', 'Launch'];

const newClient = async (externalId: string) =>
  expectStatus<{ id: string }>(await agencyApi('/v1/agency/clients', { method: 'POST', json: { external_id: externalId } }), 201);
const alice = await newClient('alice');
const bob = await newClient('bob');

const createProject = async (json: Record<string, unknown>) =>
  expectStatus<AgencyProject>(await agencyApi('/v1/agency/projects', { method: 'POST', json }), 201);
const patchProject = (id: string, json: unknown) => agencyApi(`/v1/agency/projects/${id}`, { method: 'PATCH', json });

/** What the client's portal shows: the same fragment /v1/portal composes. */
async function clientProjects(clientId: string): Promise<Project[]> {
  const [row] = await ctx.sql<{ value: Project[] }[]>`
    select ${projectsJson(ctx.sql, { agencyId: agency.agency_id, clientId })} as value`;
  return row.value;
}

const storedProject = async (id: string) =>
  (await ctx.sql`
    select p.name, p.current_phase, array_to_string(array(
      select ph.name from project_phases ph where ph.project_id = p.id order by ph.position), '|') as phases
    from projects p where p.id = ${id}`)[0];
const phaseChanges = (projectId: string) =>
  ctx.sql`select data, client_id, actor_type from audit_log where action = 'project.phase_changed' and subject_id = ${projectId} order by id`;

describe('projects and their phases', () => {
  test('the agency creates a project at a phase; the client sees "phase 2 of 4: Design Review"', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Website redesign', phases: PHASES, current_phase: 2 });
    assert.equal(project.client_id, alice.id);
    assert.equal(project.name, 'Website redesign');
    assert.equal(project.current_phase, 2);
    assert.deepEqual(project.phases, PHASES.map((name, index) => ({ position: index + 1, name })));

    const [seen] = (await clientProjects(alice.id)).filter((p) => p.id === project.id);
    assert.deepEqual(Object.keys(seen).sort(), ['current_phase', 'id', 'name', 'phases', 'updated_at']);
    assert.equal(seen.phases[seen.current_phase! - 1].name, 'Design Review');
    assert.equal(seen.phases.length, 4);
    assert.deepEqual(await clientProjects(bob.id), [], "another client sees none of it");
  });

  test('a project starts before work with no current phase', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Not started', phases: ['Kickoff'] });
    assert.equal(project.current_phase, null);
  });

  test('moving the phase is audited as project.phase_changed, once per real change', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Brand', phases: PHASES, current_phase: 2 });
    const moved = await expectStatus<AgencyProject>(await patchProject(project.id, { current_phase: 3 }), 200);
    assert.equal(moved.current_phase, 3);
    assert.ok(Date.parse(moved.updated_at) >= Date.parse(project.updated_at));
    await expectStatus(await patchProject(project.id, { current_phase: 3, name: 'Brand refresh' }), 200);
    await expectStatus(await patchProject(project.id, { current_phase: null }), 200);

    const changes = await phaseChanges(project.id);
    assert.deepEqual(
      changes.map((c) => c.data),
      [
        { from: 2, to: 3, name: 'Build' },
        { from: 3, to: null, name: null },
      ],
    );
    assert.ok(changes.every((c) => c.client_id === alice.id && c.actor_type === 'agency'));
    assert.equal((await storedProject(project.id)).name, 'Brand refresh');
  });

  test('the most recently updated project comes first for the client', async () => {
    const first = await createProject({ client_id: bob.id, name: 'First', phases: PHASES, current_phase: 1 });
    const second = await createProject({ client_id: bob.id, name: 'Second', phases: PHASES, current_phase: 1 });
    assert.deepEqual((await clientProjects(bob.id)).map((p) => p.id), [second.id, first.id]);
    await patchProject(first.id, { current_phase: 2 });
    assert.deepEqual((await clientProjects(bob.id)).map((p) => p.id), [first.id, second.id]);
  });

  test('phases are replaced as a whole; current_phase is checked against the new count', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Replace', phases: PHASES, current_phase: 4 });
    const shorter = await expectError(await patchProject(project.id, { phases: ['Plan', 'Do'] }), 400);
    assert.match(shorter.message, /current_phase/, 'phase 4 of 2 is refused');
    assert.deepEqual({ ...(await storedProject(project.id)) }, { name: 'Replace', current_phase: 4, phases: PHASES.join('|') });

    const replaced = await expectStatus<AgencyProject>(await patchProject(project.id, { phases: ['Plan', 'Do'], current_phase: 2 }), 200);
    assert.deepEqual(replaced.phases, [{ position: 1, name: 'Plan' }, { position: 2, name: 'Do' }]);
    assert.equal(replaced.current_phase, 2);
    assert.deepEqual((await phaseChanges(project.id)).map((c) => c.data), [{ from: 4, to: 2, name: 'Do' }]);

    const longer = await expectStatus<AgencyProject>(await patchProject(project.id, { phases: ['Plan', 'Do', 'Check', 'Act'] }), 200);
    assert.equal(longer.current_phase, 2, 'a valid phase is kept');
    assert.equal(longer.phases.length, 4);
  });

  test('list filters by client; get answers one project', async () => {
    const project = await createProject({ client_id: bob.id, name: 'Listed', phases: ['A'] });
    const forBob = await expectStatus<AgencyProject[]>(await agencyApi(`/v1/agency/projects?client_id=${bob.id}`), 200);
    assert.ok(forBob.length >= 1 && forBob.every((p) => p.client_id === bob.id));
    const all = await expectStatus<AgencyProject[]>(await agencyApi('/v1/agency/projects'), 200);
    assert.ok(all.some((p) => p.client_id === alice.id) && all.some((p) => p.client_id === bob.id));
    assert.deepEqual(await expectStatus(await agencyApi(`/v1/agency/projects/${project.id}`), 200), project);
  });
});

describe('the audit log records what the client will see change', () => {
  const projectAudit = (projectId: string) =>
    ctx.sql<{ action: string; data: Record<string, unknown>; client_id: string; actor_type: string }[]>`
      select action, data, client_id, actor_type from audit_log
      where subject_type = 'project' and subject_id = ${projectId} order by id`;

  test('a new project is audited as project.created with its name and phases', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Audited', phases: ['Plan', 'Build'], current_phase: 1 });
    assert.deepEqual(
      (await projectAudit(project.id)).map((e) => ({ ...e })),
      [{
        action: 'project.created',
        data: { name: 'Audited', phases: ['Plan', 'Build'], current_phase: 1 },
        client_id: alice.id,
        actor_type: 'agency',
      }],
    );
  });

  test('a rename and new phases are audited as project.updated with from and to; a PATCH that changes nothing records nothing', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Old name', phases: ['Plan', 'Build'], current_phase: 1 });
    await expectStatus(await patchProject(project.id, { name: 'New name' }), 200);
    await expectStatus(await patchProject(project.id, { phases: ['Plan', 'Build', 'Launch'], current_phase: 3 }), 200);
    const settled = await expectStatus<AgencyProject>(await agencyApi(`/v1/agency/projects/${project.id}`), 200);
    const unchanged = await expectStatus<AgencyProject>(
      await patchProject(project.id, { name: 'New name', phases: ['Plan', 'Build', 'Launch'], current_phase: 3 }),
      200,
    );
    assert.equal(unchanged.updated_at, settled.updated_at, 'nothing changed, so the project did not move up the list');

    const entries = (await projectAudit(project.id)).slice(1);
    assert.deepEqual(
      entries.map((e) => [e.action, e.data]),
      [
        ['project.updated', { name: { from: 'Old name', to: 'New name' } }],
        ['project.updated', { phases: { from: ['Plan', 'Build'], to: ['Plan', 'Build', 'Launch'] } }],
        ['project.phase_changed', { from: 1, to: 3, name: 'Launch' }],
      ],
    );
    assert.ok(entries.every((e) => e.client_id === alice.id && e.actor_type === 'agency'));
  });

  test('refused changes record nothing', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Steady', phases: PHASES, current_phase: 4 });
    await expectError(await patchProject(project.id, { phases: ['Only'] }), 400);
    await expectError(await otherApi(`/v1/agency/projects/${project.id}`, { method: 'PATCH', json: { name: 'Hijacked' } }), 404);
    assert.deepEqual((await projectAudit(project.id)).map((e) => e.action), ['project.created']);
  });

  test('names and phases with invisible format characters are refused', async () => {
    const before = (await ctx.sql`select count(*)::int as n from projects`)[0].n;
    for (const json of [
      { client_id: alice.id, name: 'Site\u202e', phases: ['One'] },
      { client_id: alice.id, name: 'Site', phases: ['One', 'Tw\u200bo'] },
    ]) {
      await expectError(await agencyApi('/v1/agency/projects', { method: 'POST', json }), 400);
    }
    assert.equal((await ctx.sql`select count(*)::int as n from projects`)[0].n, before);
  });
});

describe('tenant isolation', () => {
  test("another agency gets 404 for this agency's projects and clients, and changes nothing", async () => {
    const project = await createProject({ client_id: alice.id, name: 'Guarded', phases: PHASES, current_phase: 1 });
    assert.equal((await otherApi(`/v1/agency/projects/${project.id}`)).status, 404);
    const patch = await otherApi(`/v1/agency/projects/${project.id}`, {
      method: 'PATCH',
      json: { name: 'Hijacked', phases: ['X'], current_phase: 1 },
    });
    assert.equal(patch.status, 404);
    assert.deepEqual({ ...(await storedProject(project.id)) }, { name: 'Guarded', current_phase: 1, phases: PHASES.join('|') });
    assert.equal((await phaseChanges(project.id)).length, 0);
    assert.deepEqual(await (await otherApi(`/v1/agency/projects?client_id=${alice.id}`)).json(), []);

    const before = (await ctx.sql`select count(*)::int as n from projects`)[0].n;
    const create = await otherApi('/v1/agency/projects', { method: 'POST', json: { client_id: alice.id, name: 'Stolen', phases: ['A'] } });
    assert.equal(create.status, 404);
    assert.equal((await ctx.sql`select count(*)::int as n from projects`)[0].n, before);
  });
});

describe('malformed input answers 4xx JSON, never 500', () => {
  test('ids that are not uuids', async () => {
    for (const bad of ['nope', '1', 'ffffffff-ffff-ffff-ffff-fffffffffffff']) {
      await expectError(await agencyApi(`/v1/agency/projects/${bad}`), 404);
      await expectError(await patchProject(bad, { name: 'x' }), 404);
    }
    await expectError(await agencyApi('/v1/agency/projects?client_id=nope'), 400);
    await expectError(
      await agencyApi('/v1/agency/projects', { method: 'POST', json: { client_id: '00000000-0000-4000-8000-000000000000', name: 'N', phases: ['A'] } }),
      404,
    );
  });

  test('bad project bodies create nothing', async () => {
    const before = (await ctx.sql`select count(*)::int as n from projects`)[0].n;
    const valid = { client_id: alice.id, name: 'Valid', phases: PHASES };
    for (const json of [
      {},
      { ...valid, client_id: 'nope' },
      { ...valid, name: '' },
      { ...valid, name: 'n'.repeat(201) },
      { ...valid, name: 3 },
      { ...valid, phases: [] },
      { ...valid, phases: 'Discovery' },
      { ...valid, phases: Array.from({ length: 21 }, (_, i) => `Phase ${i}`) },
      { ...valid, phases: ['Ok', ''] },
      { ...valid, phases: ['Ok', 'p'.repeat(201)] },
      { ...valid, phases: [1, 2] },
      { ...valid, current_phase: 0 },
      { ...valid, current_phase: 5 },
      { ...valid, current_phase: 1.5 },
      { ...valid, current_phase: '2' },
      [valid],
    ]) {
      await expectError(await agencyApi('/v1/agency/projects', { method: 'POST', json }), 400);
    }
    await expectError(await agencyApi('/v1/agency/projects', { method: 'POST', ...brokenJson() }), 400);
    for (const [json, field] of [
      [{ ...valid, name: 'Lone \ud800' }, /^name: .*surrogate/],
      [{ ...valid, phases: ['One', 'T\udc00wo'] }, /^phases\.1: .*surrogate/],
    ] as const) {
      assert.match((await expectError(await agencyApi('/v1/agency/projects', { method: 'POST', json }), 400)).message, field);
    }
    assert.equal((await ctx.sql`select count(*)::int as n from projects`)[0].n, before);
  });

  test('bad PATCH bodies change nothing', async () => {
    const project = await createProject({ client_id: alice.id, name: 'Patched', phases: PHASES, current_phase: 1 });
    for (const json of [{ name: '' }, { phases: [] }, { current_phase: 0 }, { current_phase: 99 }, { current_phase: 5 }, { phases: [null] }]) {
      await expectError(await patchProject(project.id, json), 400);
    }
    await expectError(await agencyApi(`/v1/agency/projects/${project.id}`, { method: 'PATCH', ...brokenJson() }), 400);
    await expectError(await patchProject('00000000-0000-4000-8000-000000000000', { name: 'Nobody' }), 404);
    assert.deepEqual({ ...(await storedProject(project.id)) }, { name: 'Patched', current_phase: 1, phases: PHASES.join('|') });
  });
});
