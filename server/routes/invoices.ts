import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export const invoices = new Hono<AppEnv>();
