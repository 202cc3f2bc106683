import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { addDocumentVersion, createDocument, getDocument, listDocuments } from '../../db/documents.ts';
import { readerForAgency } from '../../db/reader.ts';
import type { AppEnv, PorchEnv } from '../../env.ts';
import { ApiError } from '../../errors.ts';
import { clientIdQuery, idParam, labelText, optionalText, uuid, withoutInvisibleFormatting } from '../../schemas.ts';
import { validate } from '../../validate.ts';

export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Room for the multipart framing and the small text fields around the file. */
const FORM_OVERHEAD_BYTES = 16 * 1024;

const maxUploadBytes = (env: PorchEnv) => env.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;

const payloadTooLarge = (maxBytes: number) =>
  new ApiError(413, 'payload_too_large', `The upload is larger than the limit of ${maxBytes} bytes.`);

/**
 * Refuses an upload as soon as its body is known to be too large, before it is read in full; a
 * file just over the limit (the form's framing is allowed for) is refused once the form is read.
 */
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

/**
 * A filename safe to store and to put in a header: no path, no control or invisible format
 * characters, at most 200 characters.
 */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const visible = withoutInvisibleFormatting(base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')).trim();
  const clean = [...visible].slice(0, 200).join('').trim();
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The upload's media type without parameters, or octet-stream when it is missing or odd. */
export function cleanContentType(type: string): string {
  const media = type.split(';')[0].trim().toLowerCase();
  return MEDIA_TYPE.test(media) ? media : 'application/octet-stream';
}

const newDocument = z.object({
  client_id: uuid,
  title: labelText(300),
  project_id: uuid.optional(),
});

const newVersion = z
  .object({
    file: z.file().min(1, 'The file is empty.'),
    note: optionalText(2000),
    created_by: optionalText(200),
  })
  .transform((form) => ({ ...form, filename: sanitizeFilename(form.file.name), content_type: cleanContentType(form.file.type) }));

export const agencyDocuments = new Hono<AppEnv>()
  /** Documents with their latest version, optionally of one client. */
  .get('/', validate('query', clientIdQuery), async (c) => {
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
    const form = c.req.valid('form');
    if (form.file.size > maxUploadBytes(c.env)) throw payloadTooLarge(maxUploadBytes(c.env));
    return c.json(await addDocumentVersion(c.env.sql, c.env.files, c.get('agency'), id, form), 201);
  });
