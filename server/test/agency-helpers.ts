/** Helpers for tests that drive the agency's management API and check its answers. */
import assert from 'node:assert/strict';
import type { TestContext } from './helpers.ts';

export type RequestOptions = RequestInit & { json?: unknown };

/** Calls the API with one agency's API key. */
export const agencyCaller = (ctx: TestContext, apiKey: string) => (path: string, init: RequestOptions = {}) =>
  ctx.request(path, { ...init, bearer: apiKey });

/** Asserts the status (showing the body when it differs) and returns the JSON body. */
export async function expectStatus<T>(res: Response, status: number): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

/** Asserts a refusal in Porch's error shape, `{"error": {"code", "message"}}`, and returns the error. */
export async function expectError(res: Response, status: number): Promise<{ code: string; message: string }> {
  const { error } = await expectStatus<{ error: { code: string; message: string } }>(res, status);
  assert.ok(error.code && error.message, 'the error has a code and a message');
  return error;
}

/** Request options for a body that claims to be JSON and is not. */
export const brokenJson = (body = '{"truncated":'): RequestInit => ({ headers: { 'content-type': 'application/json' }, body });
