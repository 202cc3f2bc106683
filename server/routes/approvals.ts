import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export const approvals = new Hono<AppEnv>();
