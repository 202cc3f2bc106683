import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

export const agencyClients = new Hono<AppEnv>();
