import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

/** The agency's management API, mounted at /v1/agency behind its API key. */
export const agencyRoutes = new Hono<AppEnv>();
