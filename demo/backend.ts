/**
 * The demo agency's own backend, as an agency would write it: it knows who is signed in to its
 * website and mints a short embed token for that client with its embed secret, which never
 * reaches the browser. The widget's `token-url` calls it. Here the visitor picks the client.
 * Runtime-neutral: the Node entry mounts it at /demo in demo mode.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { randomSecret } from '../server/auth/crypto.ts';
import { signEmbedToken } from '../server/auth/embed-token.ts';
import { DEMO } from '../server/demo-seed.ts';
import { handleError } from '../server/errors.ts';
import { validate } from '../server/validate.ts';

const TOKEN_SECONDS = 600;
const clientIds = DEMO.clients.map((client) => client.externalId) as [string, ...string[]];

export const demoBackend = new Hono()
  /** `GET /demo/token?client=demo-client-1` → `{"token": "<JWT>"}` */
  .get(
    '/token',
    validate('query', z.object({ client: z.enum(clientIds, { error: `must be one of ${clientIds.join(', ')}.` }) })),
    async (c) => {
      const client = DEMO.clients.find((candidate) => candidate.externalId === c.req.valid('query').client)!;
      const iat = Math.floor(Date.now() / 1000);
      const token = await signEmbedToken(
        {
          iss: DEMO.agencyId,
          sub: client.externalId,
          name: client.name,
          email: client.email,
          jti: randomSecret('demo_', 12),
          iat,
          exp: iat + TOKEN_SECONDS,
        },
        { id: DEMO.embedKeyId, secret: DEMO.embedSecret },
      );
      c.header('Cache-Control', 'no-store');
      return c.json({ token });
    },
  );

demoBackend.onError(handleError);
