import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** An error the caller can act on: becomes `{"error": {"code", "message"}}` with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found.`);

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/** Postgres errors that bad input can cause, by SQLSTATE. */
const postgresErrors: Record<string, [ContentfulStatusCode, string, string]> = {
  '22021': [400, 'invalid_request', 'Text contains characters that cannot be stored (such as NUL).'],
  '22P02': [400, 'invalid_request', 'A value has the wrong format.'],
  '22001': [400, 'invalid_request', 'A value is too long.'],
  '22003': [400, 'invalid_request', 'A number is out of range.'],
  '22007': [400, 'invalid_request', 'A date has the wrong format.'],
  '22008': [400, 'invalid_request', 'A date is out of range.'],
  '2201B': [400, 'invalid_request', 'A pattern is not valid.'],
  '54000': [400, 'invalid_request', 'A value is too large to process.'],
  '23502': [400, 'invalid_request', 'A required value is missing.'],
  '23503': [404, 'not_found', 'A referenced resource does not exist.'],
  '23505': [409, 'conflict', 'That already exists.'],
  '23514': [400, 'invalid_request', 'A value is not allowed.'],
};

export function handleError(err: Error, c: Context) {
  if (err instanceof ApiError) return errorResponse(c, err.status, err.code, err.message);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'invalid_request';
    return errorResponse(c, status, code, err.message || 'The request could not be processed.');
  }
  const pgCode = (err as { code?: string }).code;
  const known = pgCode ? postgresErrors[pgCode] : undefined;
  if (known) return errorResponse(c, ...known);
  console.error('porch: unexpected error', err);
  return errorResponse(c, 500, 'internal', 'Something went wrong on our side.');
}

export function handleNotFound(c: Context) {
  return errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
}
