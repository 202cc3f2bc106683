import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { clientSession, agencyApiKey } from './auth/bearer.ts';
import type { AppEnv } from './env.ts';
import { ApiError, handleError, handleNotFound } from './errors.ts';
import { agencyRoutes } from './routes/agency/index.ts';
import { approvals } from './routes/approvals.ts';
import { documents } from './routes/documents.ts';
import { invoices } from './routes/invoices.ts';
import { portal } from './routes/portal.ts';
import { session } from './routes/session.ts';

const KiB = 1024;

/** The largest request bodies read, by who may send them. Uploads have their own limit. */
export const BODY_LIMITS = {
  /** POST /v1/session, open to anyone: a token of at most 8192 characters. */
  session: 16 * KiB,
  /** The client routes: an approval's comment of 5000 characters is the largest. */
  client: 64 * KiB,
  /**
   * The agency routes: an invoice of 100 lines of 500 characters is the largest, and a JSON
   * encoder that escapes every non-ASCII character (Python's default) writes six bytes for each.
   */
  agency: 512 * KiB,
};

/** A document version's upload: multipart, limited by the route itself (MAX_UPLOAD_BYTES). */
const isUpload = (method: string, path: string) => method === 'POST' && /^\/v1\/agency\/documents\/[^/]+\/versions\/?$/.test(path);

/**
 * Refuses a body over `maxSize` bytes with 413 `payload_too_large`: at once when Content-Length
 * says so, otherwise as soon as the stream passes it, so a huge body is never held in memory.
 */
function limitBody(maxSize: number) {
  const limit = bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `The request body is larger than ${maxSize / KiB} KiB.`);
    },
  });
  return createMiddleware<AppEnv>((c, next) => (isUpload(c.req.method, c.req.path) ? next() : limit(c, next)));
}

/**
 * Browsers call the client routes from the agency's pages, so those answer CORS for any origin;
 * each request is then checked against its agency's allowed origins. The agency routes are for
 * the agency's servers, and answer no browser.
 */
const clientCors = cors({ origin: (origin) => origin, allowHeaders: ['Authorization', 'Content-Type'], maxAge: 600 });

/**
 * The Porch API: one Hono app for every runtime. Entries hand it a PorchEnv per request
 * (`app.fetch(request, env)`); nothing here touches a runtime.
 */
export const app = new Hono<AppEnv>()
  .get('/health', (c) => c.json({ ok: true }))
  .use('/v1/session', clientCors, limitBody(BODY_LIMITS.session))
  .route('/v1/session', session)
  .use('/v1/agency/*', agencyApiKey(), limitBody(BODY_LIMITS.agency))
  .route('/v1/agency', agencyRoutes)
  .use('/v1/portal', clientCors, clientSession(), limitBody(BODY_LIMITS.client))
  .use('/v1/documents/*', clientCors, clientSession(), limitBody(BODY_LIMITS.client))
  .use('/v1/approvals/*', clientCors, clientSession(), limitBody(BODY_LIMITS.client))
  .use('/v1/invoices/*', clientCors, clientSession(), limitBody(BODY_LIMITS.client))
  .route('/v1/portal', portal)
  .route('/v1/documents', documents)
  .route('/v1/approvals', approvals)
  .route('/v1/invoices', invoices);

app.onError(handleError);
app.notFound(handleNotFound);

export type AppType = typeof app;
