import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

export const agencySettings = new Hono<AppEnv>();
