import { Hono } from 'hono';
import { z } from 'zod';
import { createProject, getProject, listProjects, updateProject } from '../../db/projects.ts';
import type { AppEnv } from '../../env.ts';
import { clientIdQuery, idParam, labelText, uuid } from '../../schemas.ts';
import { validate } from '../../validate.ts';

const MAX_PHASES = 20;

const projectName = labelText(200);
const phases = z.array(labelText(200)).min(1).max(MAX_PHASES);
/** 1-based; checked against the phase count by the data layer, which knows the stored phases. */
const currentPhase = z.number().int().min(1).max(MAX_PHASES).nullable();

const newProject = z.object({ client_id: uuid, name: projectName, phases, current_phase: currentPhase.optional() });

const projectPatch = z.object({
  name: projectName.optional(),
  phases: phases.optional(),
  current_phase: currentPhase.optional(),
});

/** Projects and where each stands: "Phase 2 of 4: Design Review". */
export const agencyProjects = new Hono<AppEnv>()
  .get('/', validate('query', clientIdQuery), async (c) =>
    c.json(await listProjects(c.env.sql, c.get('agency'), c.req.valid('query').client_id)),
  )
  /** Audited as `project.created`. */
  .post('/', validate('json', newProject), async (c) =>
    c.json(await createProject(c.env.sql, c.get('agency'), c.req.valid('json')), 201),
  )
  .get('/:id', validate('param', idParam), async (c) =>
    c.json(await getProject(c.env.sql, c.get('agency'), c.req.valid('param').id)),
  )
  /**
   * `phases` replaces them all. A new name or phases is audited as `project.updated`, a move of
   * `current_phase` as `project.phase_changed`.
   */
  .patch('/:id', validate('param', idParam), validate('json', projectPatch), async (c) =>
    c.json(await updateProject(c.env.sql, c.get('agency'), c.req.valid('param').id, c.req.valid('json'))),
  );
