/**
 * The Cloudflare Workers entry: per request, a Postgres client on the Hyperdrive connection
 * string (ended once the response is sent) and document files in R2, handed to the same app
 * the Node entry serves. The widget bundle comes from the static assets (dist/).
 */
import { Hono } from 'hono';
import { demoBackend } from '../demo/backend.ts';
import { app } from './app.ts';
import { connect } from './db/sql.ts';
import { positiveInteger, type PorchEnv } from './env.ts';
import type { FileStore } from './files.ts';

// The few binding shapes used here, declared by hand: @cloudflare/workers-types clashes with
// the DOM library the widget needs in the same tsconfig.
interface Hyperdrive {
  connectionString: string;
}

interface R2ObjectBody {
  body: ReadableStream<Uint8Array>;
  size: number;
}

interface R2Bucket {
  put(key: string, value: Uint8Array, options?: { httpMetadata?: { contentType?: string } }): Promise<unknown>;
  get(key: string): Promise<R2ObjectBody | null>;
}

interface Fetcher {
  fetch(request: Request): Promise<Response>;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface Bindings {
  HYPERDRIVE: Hyperdrive;
  FILES: R2Bucket;
  ASSETS: Fetcher;
  /** "1" accepts the demo agency's fixed credentials and serves its token endpoint at /demo/token. */
  DEMO?: string;
  /** Largest document upload, in bytes. */
  MAX_UPLOAD_BYTES?: string;
}

export function r2FileStore(bucket: R2Bucket): FileStore {
  return {
    async put(key, data, contentType) {
      await bucket.put(key, data, { httpMetadata: { contentType } });
    },
    async get(key) {
      const object = await bucket.get(key);
      return object && { body: object.body, size: object.size };
    },
  };
}

const demoSite = new Hono().route('/demo', demoBackend);

export default {
  async fetch(request: Request, bindings: Bindings, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === '/porch.js' || path === '/porch.js.map') {
      // Agencies load the bundle from their own sites, and module scripts are fetched with CORS.
      const asset = await bindings.ASSETS.fetch(request);
      const response = new Response(asset.body, asset);
      response.headers.set('Access-Control-Allow-Origin', '*');
      return response;
    }
    const demo = bindings.DEMO === '1';
    if (demo && path.startsWith('/demo/')) {
      return demoSite.fetch(request);
    }
    // Hyperdrive pools the real connections; this client lives for one request.
    const sql = connect(bindings.HYPERDRIVE.connectionString, { max: 1, prepare: false });
    const env: PorchEnv = {
      sql,
      files: r2FileStore(bindings.FILES),
      demo,
      maxUploadBytes: positiveInteger(bindings.MAX_UPLOAD_BYTES),
    };
    try {
      return await app.fetch(request, env);
    } finally {
      ctx.waitUntil(sql.end({ timeout: 5 }));
    }
  },
};
