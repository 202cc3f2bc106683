import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

export const agencyDocuments = new Hono<AppEnv>();
