import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export const portal = new Hono<AppEnv>();
