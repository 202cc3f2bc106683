import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

export const agencyProjects = new Hono<AppEnv>();
