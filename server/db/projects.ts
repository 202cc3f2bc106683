import type { AuthedAgency } from '../env.ts';
import { ApiError, notFound } from '../errors.ts';
import type { Project } from '../types.ts';
import { recordAudit } from './audit.ts';
import { assertClientOwned } from './clients.ts';
import { readerForAgency, readerForScope, selectJson, type JsonFragment, type Queryable, type Reader, type Scope } from './reader.ts';
import type { Sql, TransactionSql } from './sql.ts';

/** A project as the agency sees it: the client's shape plus whose it is. */
export interface AgencyProject extends Project {
  client_id: string;
  created_at: string;
}

/** JSON array of the reader's projects (phases in order), most recently updated first. */
function projectListJson(sql: Queryable, reader: Reader, options: { id?: string } = {}): JsonFragment {
  return sql`(
    select coalesce(json_agg(json_build_object(
      'id', p.id, 'name', p.name, 'current_phase', p.current_phase, 'updated_at', p.updated_at,
      'phases', coalesce((
        select json_agg(json_build_object('position', ph.position, 'name', ph.name) order by ph.position)
        from project_phases ph where ph.project_id = p.id), '[]'::json)
      ${reader.side === 'agency' ? sql`, 'client_id', p.client_id, 'created_at', p.created_at` : sql``}
    ) order by p.updated_at desc, p.id), '[]'::json)
    from projects p
    where p.agency_id = ${reader.agencyId}
      ${reader.clientId !== undefined ? sql`and p.client_id = ${reader.clientId}` : sql``}
      ${options.id !== undefined ? sql`and p.id = ${options.id}` : sql``})`;
}

/** JSON array of `Project` for one client, most recently updated first. */
export const projectsJson = (sql: Queryable, scope: Scope): JsonFragment => projectListJson(sql, readerForScope(scope));

export function listProjects(sql: Sql, agency: AuthedAgency, clientId?: string): Promise<AgencyProject[]> {
  return selectJson(sql, projectListJson(sql, readerForAgency(agency, clientId)));
}

export async function getProject(sql: Queryable, agency: AuthedAgency, projectId: string): Promise<AgencyProject> {
  const [project] = await selectJson<AgencyProject[]>(sql, projectListJson(sql, readerForAgency(agency), { id: projectId }));
  if (!project) throw notFound('Project');
  return project;
}

export interface NewProject {
  client_id: string;
  name: string;
  phases: string[];
  current_phase?: number | null;
}

export interface ProjectPatch {
  name?: string;
  phases?: string[];
  current_phase?: number | null;
}

const outOfRange = (phaseCount: number) =>
  new ApiError(400, 'invalid_request', `current_phase: must be between 1 and ${phaseCount} (the number of phases), or null.`);

async function insertPhases(tx: TransactionSql, projectId: string, phases: string[]): Promise<void> {
  await tx`insert into project_phases ${tx(
    phases.map((name, index) => ({ project_id: projectId, position: index + 1, name })),
    'project_id',
    'position',
    'name',
  )}`;
}

const agencyActor = (agency: AuthedAgency, clientId: string) =>
  ({ agency_id: agency.id, client_id: clientId, actor_type: 'agency', actor_id: agency.id }) as const;

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, i) => item === b[i]);

/** Creates a project with its phases; audited as `project.created` with what the client will see. */
export async function createProject(sql: Sql, agency: AuthedAgency, input: NewProject): Promise<AgencyProject> {
  const currentPhase = input.current_phase ?? null;
  if (currentPhase !== null && currentPhase > input.phases.length) throw outOfRange(input.phases.length);
  return sql.begin(async (tx) => {
    await assertClientOwned(tx, agency.id, input.client_id);
    const [created] = await tx<{ id: string }[]>`
      insert into projects (agency_id, client_id, name, current_phase)
      values (${agency.id}, ${input.client_id}, ${input.name}, ${currentPhase})
      returning id`;
    await insertPhases(tx, created.id, input.phases);
    await recordAudit(tx, {
      ...agencyActor(agency, input.client_id),
      action: 'project.created',
      subject_type: 'project',
      subject_id: created.id,
      data: { name: input.name, phases: input.phases, current_phase: currentPhase },
    });
    return getProject(tx, agency, created.id);
  });
}

/**
 * Renames a project, replaces its phases or moves it to another phase, each a client-visible
 * event audited in the same transaction: a new name or new phases as `project.updated` with
 * what changed (`{from, to}`), a phase move as `project.phase_changed`. A PATCH that changes
 * nothing records nothing and leaves `updated_at` as it was.
 */
export async function updateProject(
  sql: Sql,
  agency: AuthedAgency,
  projectId: string,
  patch: ProjectPatch,
): Promise<AgencyProject> {
  return sql.begin(async (tx) => {
    const [project] = await tx<{ client_id: string; name: string; current_phase: number | null; phases: string[] }[]>`
      select p.client_id, p.name, p.current_phase,
             (select coalesce(json_agg(ph.name order by ph.position), '[]'::json)
              from project_phases ph where ph.project_id = p.id) as phases
      from projects p
      where p.id = ${projectId} and p.agency_id = ${agency.id}
      for update`;
    if (!project) throw notFound('Project');
    const phaseCount = patch.phases?.length ?? project.phases.length;
    const to = patch.current_phase === undefined ? project.current_phase : patch.current_phase;
    if (to !== null && to > phaseCount) throw outOfRange(phaseCount);

    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (patch.name !== undefined && patch.name !== project.name) changes.name = { from: project.name, to: patch.name };
    if (patch.phases && !sameList(patch.phases, project.phases)) {
      changes.phases = { from: project.phases, to: patch.phases };
      await tx`delete from project_phases where project_id = ${projectId}`;
      await insertPhases(tx, projectId, patch.phases);
    }
    const phaseMoved = to !== project.current_phase;
    if (Object.keys(changes).length === 0 && !phaseMoved) return getProject(tx, agency, projectId);
    const [updated] = await tx<{ phase_name: string | null }[]>`
      update projects p
      set name = coalesce(${patch.name ?? null}::text, p.name), current_phase = ${to}::int, updated_at = now()
      where p.id = ${projectId} and p.agency_id = ${agency.id}
      returning (select ph.name from project_phases ph where ph.project_id = p.id and ph.position = p.current_phase)
                as phase_name`;
    if (Object.keys(changes).length > 0) {
      await recordAudit(tx, {
        ...agencyActor(agency, project.client_id),
        action: 'project.updated',
        subject_type: 'project',
        subject_id: projectId,
        data: changes,
      });
    }
    if (phaseMoved) {
      await recordAudit(tx, {
        ...agencyActor(agency, project.client_id),
        action: 'project.phase_changed',
        subject_type: 'project',
        subject_id: projectId,
        data: { from: project.current_phase, to, name: updated.phase_name },
      });
    }
    return getProject(tx, agency, projectId);
  });
}
