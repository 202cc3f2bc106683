import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

export const agencyApprovals = new Hono<AppEnv>();
