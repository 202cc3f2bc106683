import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';

export const documents = new Hono<AppEnv>();
