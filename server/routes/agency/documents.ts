import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { addDocumentVersion, createDocument, getDocument, listDocuments, payloadTooLarge } from '../../db/documents.ts';
import { readerForAgency } from '../../db/reader.ts';
import type { AppEnv, PorchEnv } from '../../env.ts';
import { idParam, uuid, validate } from '../../validate.ts';

export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Room for the multipart framing and the small text fields around the file. */
const FORM_OVERHEAD_BYTES = 16 * 1024;

const maxUploadBytes = (env: PorchEnv) => env.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;

/** Refuses an upload as soon as its body is known to be too large, before it is read in full. */
function uploadLimit() {
  return createMiddleware<AppEnv>((c, next) =>
    bodyLimit({
      maxSize: maxUploadBytes(c.env) + FORM_OVERHEAD_BYTES,
      onError: () => {
        throw payloadTooLarge(maxUploadBytes(c.env));
      },
    })(c, next),
  );
}

const optionalText = (max: number) =>
  z.string().trim().max(max).optional().transform((text) => text || undefined);

const newDocument = z.object({
  client_id: uuid,
  title: z.string().trim().min(1).max(300),
  project_id: uuid.optional(),
});

const newVersion = z.object({
  file: z.file().min(1, 'The file is empty.'),
  note: optionalText(2000),
  created_by: optionalText(200),
});

export const agencyDocuments = new Hono<AppEnv>()
  /** Documents with their latest version, optionally of one client. */
  .get('/', validate('query', z.object({ client_id: uuid.optional() })), async (c) => {
    const { client_id } = c.req.valid('query');
    return c.json(await listDocuments(c.env.sql, readerForAgency(c.get('agency'), client_id)));
  })
  .post('/', validate('json', newDocument), async (c) => {
    return c.json(await createDocument(c.env.sql, c.get('agency'), c.req.valid('json')), 201);
  })
  /** A document with all its versions. */
  .get('/:id', validate('param', idParam), async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getDocument(c.env.sql, readerForAgency(c.get('agency')), id));
  })
  /** Uploads the next version (multipart: file, note?, created_by?). */
  .post('/:id/versions', validate('param', idParam), uploadLimit(), validate('form', newVersion), async (c) => {
    const { id } = c.req.valid('param');
    const version = await addDocumentVersion(
      c.env.sql,
      c.env.files,
      c.get('agency'),
      id,
      c.req.valid('form'),
      maxUploadBytes(c.env),
    );
    return c.json(version, 201);
  });
