/**
 * Zod schemas that several routes share: ids, web addresses, dates and times, and text a client
 * sees as a label. Route files import them from here, never from each other.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Text

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

// ---------------------------------------------------------------------------------------------
// Ids

export const uuid = z.uuid();
export const idParam = z.object({ id: uuid });
/** `?client_id=` on the agency's lists. */
export const clientIdQuery = z.object({ client_id: uuid.optional() });

// ---------------------------------------------------------------------------------------------
// Web addresses

/** A web address (portal, pay link): http or https. */
export const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .regex(/^https?:\/\//, 'must start with http:// or https://')
  .refine((value) => URL.canParse(value), 'is not a valid URL');

// ---------------------------------------------------------------------------------------------
// Dates and times: a typo such as 0026 or 20266 is refused instead of being stored as year 26 BC.

export const EARLIEST_YEAR = 2000;
export const LATEST_YEAR = 2100;
const YEARS = `is out of range (years ${EARLIEST_YEAR} to ${LATEST_YEAR})`;
const inYearRange = (year: number) => year >= EARLIEST_YEAR && year <= LATEST_YEAR;

/** A calendar date, `YYYY-MM-DD`. */
export const calendarDate = z.iso.date().refine((date) => inYearRange(Number(date.slice(0, 4))), YEARS);

/** An instant, ISO 8601 with `Z` or an offset; the range applies to the instant in UTC. */
export const timestamp = z.iso
  .datetime({ offset: true })
  .refine((time) => inYearRange(new Date(Date.parse(time)).getUTCFullYear()), YEARS);

// ---------------------------------------------------------------------------------------------
// Text shown as a label: titles, names, invoice numbers

/**
 * Invisible format characters (Unicode Cf): a right-to-left override makes "exe.pdf" read as
 * "fdp.exe", a zero-width space makes two invoice numbers look the same. Zero-width (non-)joiners
 * stay allowed: Persian and Indic scripts and emoji sequences need them.
 */
const INVISIBLE_FORMATTING = /(?![\u200c\u200d])\p{Cf}/gu;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The text without invisible format characters: for names taken as given, such as filenames. */
export const withoutInvisibleFormatting = (text: string) => text.replace(INVISIBLE_FORMATTING, '');

/**
 * A one-line label, trimmed, of `min` to `max` characters: well-formed, and refused when it
 * hides characters.
 */
export function labelText(max: number, min = 1) {
  return wellFormedText
    .trim()
    .min(min)
    .max(max)
    .refine((text) => !CONTROL_CHARACTERS.test(text), 'must not contain control characters')
    .refine((text) => withoutInvisibleFormatting(text) === text, 'must not contain invisible formatting characters');
}

/** Optional free text: well-formed, trimmed, and left out when blank. */
export const optionalText = (max: number) =>
  wellFormedText.trim().max(max).optional().transform((text) => text || undefined);

// ---------------------------------------------------------------------------------------------
// Approvals: the client's and the agency's lists filter alike

export const approvalStatusQuery = z.object({ status: z.enum(['pending', 'decided', 'withdrawn', 'current', 'all']).optional() });
