import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';

export const agencyInvoices = new Hono<AppEnv>();
