import type { ApprovalDecision, Decision } from '../../server/types.ts';

/** Dates and money in the client's locale (undefined: the browser's). */

/** `YYYY-MM-DD` (a calendar date, no time zone) or an ISO timestamp, as a date. */
export function formatDate(value: string, locale?: string): string {
  const calendarDate = value.length === 10;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeZone: calendarDate ? 'UTC' : undefined,
  }).format(new Date(calendarDate ? `${value}T00:00:00Z` : value));
}

export function formatDateTime(value: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}

/** Minor units (cents) of `currency`, scaled by the currency's own digits (JPY has none). */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/** A decision, in the past tense. */
export const DECIDED: Record<Decision, string> = { approved: 'Approved', changes_requested: 'Changes requested' };

/** "by Maya Okafor on 12 Mar 2025, 15:30": who decided and when. */
export function decidedBy(decision: ApprovalDecision, locale?: string): string {
  return `by ${decision.actor_name ?? decision.actor_email ?? 'the client'} on ${formatDateTime(decision.decided_at, locale)}`;
}
