// Widget tests in real Chromium. Integration tests drive the elements against a real Porch server
// (the Node entry on embedded PGlite, seeded with the demo agency) that this config starts on a
// free port and stops at the end. Set PORCH_API_URL to use a server that is already running.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { SignJWT } from 'jose';

const DEMO = { agency: 'demo-agency', kid: 'demo-key', secret: 'porch-demo-secret', apiKey: 'porch-demo-api-key' };

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHealth(origin, child, log) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`The Porch server exited (${child.exitCode}):\n${log()}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The Porch server did not answer /health within 2 minutes:\n${log()}`);
}

/**
 * The agency backend of the tests: mints an embed token for any client of the demo agency. No
 * name or email claims, so the names the agency API gave its clients stay as they are.
 */
async function mintToken(client) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', kid: DEMO.kid })
    .setIssuer(DEMO.agency)
    .setSubject(client)
    .setAudience('porch')
    .setIssuedAt()
    .setExpirationTime('10m')
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(DEMO.secret));
}

/** A page with a strict Content-Security-Policy (no inline script, no eval) that loads the built bundle twice. */
function strictPage(api, client) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Strict page</title>
<script type="module" src="/__porch/csp-probe.js"></script>
<script type="module" src="/dist/porch.js"></script>
<script type="module" src="/dist/porch.js?second-copy"></script>
</head><body><porch-portal api="${api}" token-url="/__porch/token?client=${encodeURIComponent(client)}"></porch-portal></body></html>`;
}

// Runs before porch.js on the strict page: remembers the page's globals and anything the page refused.
const CSP_PROBE = `window.__globalsBefore = Object.getOwnPropertyNames(window);
window.__problems = [];
document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => window.__problems.push('error: ' + e.message));`;

function porchServer() {
  let child;
  let dataDir;
  let api = process.env.PORCH_API_URL?.replace(/\/+$/, '');
  let output = '';
  return {
    name: 'porch-server',
    async serverStart({ config }) {
      if (!api) {
        const port = await freePort();
        dataDir = await mkdtemp(join(tmpdir(), 'porch-widget-'));
        api = `http://127.0.0.1:${port}`;
        const env = { ...process.env, PORT: String(port), PORCH_DATA_DIR: dataDir };
        delete env.DATABASE_URL;
        delete env.PORCH_DEMO;
        child = spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
      }
      await waitForHealth(api, child, () => output);
      // The tests' pages are served from this runner's origin: the demo agency must allow it.
      const self = [`http://${config.hostname}:${config.port}`, `http://localhost:${config.port}`, `http://127.0.0.1:${config.port}`];
      const apiPort = new URL(api).port;
      const origins = [...new Set([...self, `http://localhost:${apiPort}`, `http://127.0.0.1:${apiPort}`])];
      const response = await fetch(`${api}/v1/agency/origins`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${DEMO.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ origins }),
      });
      if (!response.ok) throw new Error(`Could not allow the test origin: ${response.status} ${await response.text()}`);
    },
    async serverStop() {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
    async executeCommand({ command, payload }) {
      // `executeServerCommand('porch-agency-api', { method, path, body | form })`: the agency API,
      // called from here as an agency's backend would (its routes answer no CORS, so no browser can).
      if (command === 'porch-agency-api') {
        const headers = { authorization: `Bearer ${DEMO.apiKey}` };
        let body;
        if (payload.form) {
          body = new FormData();
          for (const [name, value] of Object.entries(payload.form)) {
            body.set(name, typeof value === 'string' ? value : new File([value.text], value.name, { type: value.type }));
          }
        } else if (payload.body !== undefined) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(payload.body);
        }
        const response = await fetch(`${api}${payload.path}`, { method: payload.method, headers, body });
        return { status: response.status, text: await response.text() };
      }
      // `executeServerCommand('porch-build-output', { path })`: a file the build wrote, as written
      // (the dev server would compile a .d.ts as TypeScript).
      if (command === 'porch-build-output') {
        if (!/^(dist\/[\w./-]+|custom-elements\.json)$/.test(payload.path) || payload.path.includes('..')) throw new Error(`not a build output: ${payload.path}`);
        return readFile(payload.path, 'utf8').catch(() => null);
      }
      return undefined;
    },
    async serve(context) {
      if (context.path === '/__porch/env.json') {
        return { body: JSON.stringify({ api }), type: 'json' };
      }
      if (context.path === '/__porch/token') {
        return { body: JSON.stringify({ token: await mintToken(context.query.client || 'demo-client-1') }), type: 'json' };
      }
      if (context.path === '/__porch/csp-probe.js') return { body: CSP_PROBE, type: 'js' };
      if (context.path === '/__porch/strict.html') {
        const csp = `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ${api}; img-src 'self' data: blob:; base-uri 'none'`;
        return {
          body: strictPage(api, context.query.client || 'demo-client-2'),
          type: 'html',
          headers: { 'content-security-policy': csp },
        };
      }
      return undefined;
    },
  };
}

const port = await freePort();

export default {
  files: ['widget/**/*.test.ts'],
  nodeResolve: true,
  hostname: '127.0.0.1',
  port,
  concurrency: 4,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [
    // `/__porch/token?signed-out=1`: what an agency's backend answers a visitor not signed in to its site.
    function signedOut(context, next) {
      if (context.path !== '/__porch/token' || !context.query['signed-out']) return next();
      context.status = 401;
      context.body = { error: 'not signed in' };
    },
  ],
  plugins: [
    porchServer(),
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--no-first-run',
          // Test files run side by side in tabs; a tab in the background must not have its timers slowed.
          '--disable-background-timer-throttling',
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
        ],
      },
    }),
  ],
};
