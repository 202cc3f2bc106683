import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z } from 'zod';
import { ApiError } from './errors.ts';

/**
 * zValidator that answers bad input in Porch's error shape: 400 `invalid_request`, naming the
 * first field that failed. Ids in paths answer 404, as ids that do not exist do.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (result.success) return;
    if (target === 'param') throw new ApiError(404, 'not_found', 'Resource not found.');
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ApiError(400, 'invalid_request', `${where}${issue?.message ?? 'invalid input'}`);
  });
}

export const uuid = z.uuid();
export const idParam = z.object({ id: uuid });

/**
 * Whether `text` is well-formed UTF-16: no unpaired surrogate. One cannot be stored as UTF-8,
 * so Postgres would keep U+FFFD instead, and two different ids would become the same one.
 * (String.prototype.isWellFormed, which the ES2022 library types do not know yet.)
 */
export function isWellFormedText(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/**
 * A string without unpaired surrogates; chain as any string: `wellFormedText.trim().max(200)`.
 * Use it for every text a request sends that is stored or compared (ids, names, notes).
 */
export const wellFormedText = z.string().refine(isWellFormedText, 'must not contain unpaired UTF-16 surrogates');
