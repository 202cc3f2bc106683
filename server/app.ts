import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { clientSession, agencyApiKey } from './auth/bearer.ts';
import type { AppEnv } from './env.ts';
import { handleError, handleNotFound } from './errors.ts';
import { agencyRoutes } from './routes/agency/index.ts';
import { approvals } from './routes/approvals.ts';
import { documents } from './routes/documents.ts';
import { invoices } from './routes/invoices.ts';
import { portal } from './routes/portal.ts';
import { session } from './routes/session.ts';

/**
 * The Porch API: one Hono app for every runtime. Entries hand it a PorchEnv per request
 * (`app.fetch(request, env)`); nothing here touches a runtime.
 */
export const app = new Hono<AppEnv>()
  // Browsers may call from any page; each request is then checked against its agency's origins.
  .use('/v1/*', cors({ origin: (origin) => origin, allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }))
  .get('/health', (c) => c.json({ ok: true }))
  .route('/v1/session', session)
  .use('/v1/agency/*', agencyApiKey())
  .route('/v1/agency', agencyRoutes)
  .use('/v1/portal', clientSession())
  .use('/v1/documents/*', clientSession())
  .use('/v1/approvals/*', clientSession())
  .use('/v1/invoices/*', clientSession())
  .route('/v1/portal', portal)
  .route('/v1/documents', documents)
  .route('/v1/approvals', approvals)
  .route('/v1/invoices', invoices);

app.onError(handleError);
app.notFound(handleNotFound);

export type AppType = typeof app;
