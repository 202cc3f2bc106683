import { expect } from '@open-wc/testing';
import { API, portalFixture, stubFetch } from '../test/helpers.ts';
import { PorchApi, PorchError } from './client.ts';

async function failure(promise: Promise<unknown>): Promise<PorchError> {
  try {
    await promise;
  } catch (error) {
    return error as PorchError;
  }
  throw new Error('expected the call to fail');
}

describe('PorchApi', () => {
  it('signs in once and reuses the session while it lasts', async () => {
    const stub = stubFetch({ 'GET /porch-token': () => ({ token: 'jwt' }), 'GET /v1/portal': () => portalFixture() });
    const api = new PorchApi({ api: `${API}/`, tokenUrl: '/porch-token' });
    await api.portal();
    await api.portal();
    expect(stub.calls).to.deep.equal(['GET /porch-token', 'POST /v1/session', 'GET /v1/portal', 'GET /v1/portal']);
  });

  it('signs in again before a session that is about to expire is used', async () => {
    let sessions = 0;
    const stub = stubFetch({
      'GET /porch-token': () => ({ token: 'jwt' }),
      // The first session ends in 10 seconds: too soon to start a request with it.
      'POST /v1/session': () => ({ session: `ps_session_number_${++sessions}`, expires_at: new Date(Date.now() + (sessions === 1 ? 10_000 : 3600_000)).toISOString() }),
      'GET /v1/portal': () => portalFixture(),
    });
    const api = new PorchApi({ api: API, tokenUrl: '/porch-token' });
    await api.portal();
    await api.portal();
    expect(stub.calls.filter((c) => c === 'POST /v1/session')).to.have.length(2);
    expect((await api.session()).session).to.equal('ps_session_number_2');
  });

  it('does not retry other refusals', async () => {
    const stub = stubFetch({
      'GET /v1/portal': () => Response.json({ error: { code: 'client_revoked', message: 'Revoked.' } }, { status: 401 }),
    });
    const error = await failure(new PorchApi({ api: API, token: 'jwt' }).portal());
    expect([error.code, error.status, error.message]).to.deep.equal(['client_revoked', 401, 'Revoked.']);
    expect(stub.calls.filter((c) => c === 'GET /v1/portal')).to.have.length(1);
  });

  it('names the failures the API did not answer', async () => {
    stubFetch({
      'GET /porch-token': () => new Response('nope', { status: 500 }),
      'GET /v1/portal': () => {
        throw new TypeError('Failed to fetch');
      },
    });
    expect((await failure(new PorchApi({ api: API, tokenUrl: '/porch-token' }).portal())).code).to.equal('token_unavailable');
    expect((await failure(new PorchApi({ api: API }).portal())).code).to.equal('token_unavailable');
    expect((await failure(new PorchApi({ api: API, token: 'jwt' }).portal())).code).to.equal('network');
  });

  it('tries to sign in again after a failed sign-in', async () => {
    let up = false;
    stubFetch({
      'GET /porch-token': () => (up ? { token: 'jwt' } : new Response('', { status: 503 })),
      'GET /v1/portal': () => portalFixture(),
    });
    const api = new PorchApi({ api: API, tokenUrl: '/porch-token' });
    expect((await failure(api.portal())).code).to.equal('token_unavailable');
    up = true;
    expect((await api.portal()).client.name).to.equal('Maya Okafor');
  });
});
