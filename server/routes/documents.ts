import { Hono } from 'hono';
import { z } from 'zod';
import { getDocument, listDocuments, openDocumentVersion } from '../db/documents.ts';
import { readerForSignedInClient } from '../db/reader.ts';
import type { AppEnv } from '../env.ts';
import { attachmentDisposition } from '../http.ts';
import { idParam, uuid } from '../schemas.ts';
import { validate } from '../validate.ts';

export const documents = new Hono<AppEnv>()
  /** Latest version of each document, optionally searched by title. */
  .get('/', validate('query', z.object({ q: z.string().max(200).optional() })), async (c) => {
    const { q } = c.req.valid('query');
    return c.json(await listDocuments(c.env.sql, readerForSignedInClient(c.get('client')), { q }));
  })
  /** One document with its version history, newest first. */
  .get('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getDocument(c.env.sql, readerForSignedInClient(c.get('client')), id));
  })
  /** The file itself; the first download marks the version viewed. */
  .get(
    '/:id/versions/:version/download',
    validate('param', z.object({ id: uuid, version: z.string().regex(/^[1-9][0-9]{0,8}$/).transform(Number) })),
    async (c) => {
      const { id, version } = c.req.valid('param');
      const found = await openDocumentVersion(c.env.sql, c.env.files, c.get('client'), id, version);
      // StoredFile's bytes are typed over ArrayBufferLike; every store hands out plain ArrayBuffers.
      return new Response(found.file.body as BodyInit, {
        headers: {
          'Content-Type': found.content_type,
          'Content-Disposition': attachmentDisposition(found.filename),
          'Content-Length': String(found.file.size),
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'private, no-cache',
          ETag: `"${found.sha256}"`,
        },
      });
    },
  );
