import type {
  ApiErrorBody,
  Approval,
  Decision,
  DocumentDetail,
  DocumentSummary,
  PortalResponse,
  SessionResponse,
} from '../../server/types.ts';

/**
 * A request that failed: `code` is the API's error code, or `network` when no answer came back,
 * or `token_unavailable` when the agency's token-url did not give a token.
 */
export class PorchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export interface PorchApiOptions {
  /** The Porch API's origin, e.g. `https://porch.example`. */
  api: string;
  /** A ready embed token, used once. */
  token?: string | null;
  /** The agency's endpoint that answers `{"token": "…"}` (or the token as plain text). */
  tokenUrl?: string | null;
}

/** Renew a little before the server would refuse the session. */
const EXPIRY_MARGIN_MS = 30_000;

async function readError(response: Response): Promise<PorchError> {
  const body = (await response.json().catch(() => null)) as ApiErrorBody | null;
  return new PorchError(
    body?.error?.code ?? `http_${response.status}`,
    body?.error?.message ?? `The request failed (${response.status}).`,
    response.status,
  );
}

async function send(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new PorchError('network', 'The portal could not be reached.');
  }
}

/**
 * The client API, as the widget uses it. It signs in on first use (exchanging the embed token for a
 * session) and signs in again, once, when the API says the session expired: with a token-url it
 * fetches a fresh token each time, as Stripe's embedded components call fetchClientSecret.
 */
export class PorchApi {
  readonly origin: string;
  #session?: Promise<SessionResponse>;

  constructor(readonly options: PorchApiOptions) {
    this.origin = options.api.replace(/\/+$/, '');
  }

  /** The current session, signing in when there is none or it is about to expire. */
  session(): Promise<SessionResponse> {
    const current = this.#session;
    if (current) {
      return current.then(
        (session) => (Date.parse(session.expires_at) - EXPIRY_MARGIN_MS > Date.now() ? session : this.#renew()),
        () => this.#renew(),
      );
    }
    return this.#renew();
  }

  #renew(): Promise<SessionResponse> {
    const signIn = this.#signIn();
    this.#session = signIn;
    // A failed sign-in is not kept: the next call tries again (the retry button).
    signIn.catch(() => {
      if (this.#session === signIn) this.#session = undefined;
    });
    return signIn;
  }

  async #token(): Promise<string> {
    const { token, tokenUrl } = this.options;
    if (!tokenUrl) {
      if (token) return token;
      throw new PorchError('token_unavailable', 'The portal needs a token or a token-url.');
    }
    const response = await send(new URL(tokenUrl, document.baseURI).href, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    const text = response.ok ? (await response.text()).trim() : '';
    let fetched = text;
    if (text.startsWith('{')) {
      try {
        fetched = (JSON.parse(text) as { token?: string }).token ?? '';
      } catch {
        fetched = '';
      }
    }
    if (!fetched) throw new PorchError('token_unavailable', 'This site could not sign you in to the portal.', response.status);
    return fetched;
  }

  async #signIn(): Promise<SessionResponse> {
    const response = await send(`${this.origin}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await this.#token() }),
    });
    if (!response.ok) throw await readError(response);
    return response.json() as Promise<SessionResponse>;
  }

  /** A signed-in request; renews the session and retries once if the API says it expired. */
  async request(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
    const { session } = await this.session();
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${session}`);
    const response = await send(`${this.origin}${path}`, { ...init, headers });
    if (response.ok) return response;
    const error = await readError(response);
    if (error.code === 'session_expired' && !retried) {
      this.#session = undefined;
      return this.request(path, init, true);
    }
    throw error;
  }

  async json<T>(path: string, init?: RequestInit): Promise<T> {
    return (await this.request(path, init)).json() as Promise<T>;
  }

  portal(): Promise<PortalResponse> {
    return this.json('/v1/portal');
  }

  /** The latest version of each document whose title matches `q`. */
  documents(q: string): Promise<DocumentSummary[]> {
    return this.json(`/v1/documents?q=${encodeURIComponent(q)}`);
  }

  document(id: string): Promise<DocumentDetail> {
    return this.json(`/v1/documents/${encodeURIComponent(id)}`);
  }

  approval(id: string): Promise<Approval> {
    return this.json(`/v1/approvals/${encodeURIComponent(id)}`);
  }

  decide(id: string, decision: Decision, comment?: string): Promise<Approval> {
    return this.json(`/v1/approvals/${encodeURIComponent(id)}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(comment ? { decision, comment } : { decision }),
    });
  }

  /** A file behind the bearer, as a Blob: a download cannot be a plain link. */
  async #file(path: string): Promise<Blob> {
    return (await this.request(path)).blob();
  }

  /** The file of one version of a document; the API marks it viewed. */
  versionFile(documentId: string, version: number): Promise<Blob> {
    return this.#file(`/v1/documents/${encodeURIComponent(documentId)}/versions/${version}/download`);
  }

  invoicePdf(invoiceId: string): Promise<Blob> {
    return this.#file(`/v1/invoices/${encodeURIComponent(invoiceId)}/pdf`);
  }
}
