import { html } from 'lit';
import { PorchError } from '../api/client.ts';

const FRIENDLY: Record<string, string> = {
  network: 'We couldn’t reach the portal. Check your connection, then try again.',
  session_expired: 'Your session ended. Try again to sign back in.',
  invalid_token: 'Your sign-in expired. Try again, or reload the page.',
  client_revoked: 'Your access to this portal was turned off. Please contact the agency.',
  origin_not_allowed: 'This page isn’t set up to show the portal yet. Please tell the agency.',
  not_found: 'This item is no longer available.',
  already_decided: 'This was already decided.',
};

/** The agency's site as its visitors know it: `northwind.example`. */
const siteName = () => location.hostname.replace(/^www\./, '');

/**
 * Why the agency's token-url gave no token, by its answer: the visitor is not signed in to the
 * agency's site (401, 403, or an answer without a token), the page has no way to get a token at all
 * (no answer: neither `token` nor `token-url`), or the agency's backend failed.
 */
function tokenMessage(status: number): string {
  if (status === 401 || status === 403 || status === 200) return `Sign in to ${siteName()} to see your portal.`;
  if (!status) return FRIENDLY.origin_not_allowed;
  return 'This page couldn’t sign you in to the portal. Try again in a moment.';
}

/** What to tell the client about a failed request: what happened and what to do. */
export function friendlyMessage(error: PorchError | undefined): string {
  if (error?.code === 'token_unavailable') return tokenMessage(error.status);
  return FRIENDLY[error?.code ?? ''] ?? 'Something went wrong on our side. Please try again.';
}

export function asPorchError(error: unknown): PorchError {
  return error instanceof PorchError ? error : new PorchError('unknown', String(error));
}

/**
 * A friendly error where it happened, announced (`role="alert"`), with a way out: "Try again",
 * except where trying again cannot help (the item is gone).
 */
export function renderProblem(failure: unknown, retry: () => void) {
  const error = asPorchError(failure);
  return html`<div class="problem" role="alert" part="error">
    <p>${friendlyMessage(error)}</p>
    ${error.code === 'not_found' ? '' : html`<button @click=${retry}>Try again</button>`}
  </div>`;
}
