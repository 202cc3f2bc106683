/**
 * The demo agency: fixed development credentials (accepted only in demo mode) and believable
 * content, written through the agency and client APIs so the seed walks the same code paths as
 * an agency's backend and its clients. Runtime-neutral: the Node entry, the CLI and tests call it.
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { app } from './app.ts';
import { signEmbedToken } from './auth/embed-token.ts';
import { addOrigins, createAgency, restoreDemoCredentials } from './db/agencies.ts';
import type { PorchEnv } from './env.ts';

export const DEMO = {
  agencyId: 'demo-agency',
  agencyName: 'Northwind Studio',
  brandColor: '#2f6f5e',
  embedKeyId: 'demo-key',
  embedSecret: 'porch-demo-secret',
  apiKey: 'porch-demo-api-key',
  clients: [
    { externalId: 'demo-client-1', name: 'Maya Okafor', email: 'maya@harbourandrye.example' },
    { externalId: 'demo-client-2', name: 'Lukas Brandt', email: 'lukas@alpenrad.example' },
  ],
} as const;

type DemoClient = (typeof DEMO.clients)[number];

export interface SeedResult {
  /** Whether the demo agency was created by this call. */
  createdAgency: boolean;
  /** External ids of the demo clients whose content this call wrote. */
  seededClients: string[];
}

/**
 * Creates the demo agency and each demo client's content if missing, and makes its fixed
 * credentials work again if someone revoked them. Running it again changes nothing. Demo
 * credentials only work in demo mode, so the seed always talks to the API in it.
 */
export async function seedDemo(env: PorchEnv, options: { origins?: string[] } = {}): Promise<SeedResult> {
  const api = demoApi({ ...env, demo: true });
  let createdAgency = false;
  // Anyone who can reach a demo server holds its API key, and may have revoked its keys.
  await restoreDemoCredentials(env.sql, {
    agencyId: DEMO.agencyId,
    embedKeyId: DEMO.embedKeyId,
    embedSecret: DEMO.embedSecret,
    apiKey: DEMO.apiKey,
  });
  if ((await api.raw('GET', '/v1/agency')).status === 401) {
    try {
      await createAgency(env.sql, {
        id: DEMO.agencyId,
        name: DEMO.agencyName,
        brandColor: DEMO.brandColor,
        isDemo: true,
        embedKeyId: DEMO.embedKeyId,
        embedSecret: DEMO.embedSecret,
        apiKey: DEMO.apiKey,
      });
      createdAgency = true;
    } catch (err) {
      // Another process seeding at the same moment created it first: carry on with its agency.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  if (options.origins?.length) await ensureDemoOrigins(env, options.origins);

  const existing = new Set((await api.call<{ external_id: string }[]>('GET', '/v1/agency/clients')).map((c) => c.external_id));
  const seededClients: string[] = [];
  for (const [client, content] of [
    [DEMO.clients[0], seedHarbourAndRye],
    [DEMO.clients[1], seedAlpenrad],
  ] as const) {
    if (existing.has(client.externalId)) continue;
    const { id } = await api.call<{ id: string }>('POST', '/v1/agency/clients', {
      external_id: client.externalId,
      name: client.name,
      email: client.email,
    });
    await content(api, id, client);
    seededClients.push(client.externalId);
  }
  return { createdAgency, seededClients };
}

/**
 * Adds `origins` to the demo agency's allowed origins (the page's own, for the demo site),
 * keeping the others, in one locked step: two servers starting at once both get theirs.
 */
export async function ensureDemoOrigins(env: PorchEnv, origins: string[]): Promise<void> {
  await addOrigins(env.sql, DEMO.agencyId, origins);
}

// ---------------------------------------------------------------------------------------------
// Content

const DESIGNER = 'Priya Shah';
const STRATEGIST = 'Tom Lindqvist';

/** A bakery's website redesign: in Design Review, with a design waiting for approval. */
async function seedHarbourAndRye(api: DemoApi, clientId: string, client: DemoClient) {
  const project = await api.call<{ id: string }>('POST', '/v1/agency/projects', {
    client_id: clientId,
    name: 'Website redesign',
    phases: ['Discovery', 'Design Review', 'Build', 'Launch'],
    current_phase: 2,
  });

  await api.document(clientId, project.id, 'Discovery workshop notes', [
    {
      file: textFile(
        'workshop-notes.txt',
        'Harbour & Rye: discovery workshop\n\nGoals\n- Online pre-orders for celebration cakes\n- Opening hours and allergens findable in two taps on a phone\n- Show the bakers and the morning bake\n',
      ),
      note: 'Notes from our first workshop.',
      by: STRATEGIST,
    },
    {
      file: textFile(
        'workshop-notes.txt',
        'Harbour & Rye: discovery workshop\n\nGoals\n- Online pre-orders for celebration cakes (48 hours ahead)\n- Opening hours and allergens findable in two taps on a phone\n- Show the bakers and the morning bake\n- Wholesale enquiries for cafes\n\nNext: sitemap and content plan.\n',
      ),
      note: 'Added wholesale enquiries and the 48-hour pre-order rule from your email.',
      by: STRATEGIST,
    },
  ]);

  const sitemap = await api.document(clientId, project.id, 'Sitemap and content plan', [
    {
      file: await pdfFile('sitemap-content-plan.pdf', 'Sitemap and content plan', 'Version 1', [
        'Home, Our bakes, Celebration cakes, Visit us, Wholesale, About',
        'Content owners and deadlines for every page',
      ]),
      note: 'First draft for discussion.',
      by: STRATEGIST,
    },
    {
      file: await pdfFile('sitemap-content-plan.pdf', 'Sitemap and content plan', 'Version 2', [
        'Home, Our bakes, Celebration cakes (with pre-order), Visit us, Wholesale, About',
        'Allergen table moved onto every product page',
        'Content owners and deadlines for every page',
      ]),
      note: 'Pre-orders now live under Celebration cakes; allergens on every product page.',
      by: STRATEGIST,
    },
  ]);

  const design = await api.document(clientId, project.id, 'Homepage design', [
    {
      file: await pdfFile('homepage-design.pdf', 'Homepage design', 'Version 1: three directions', [
        'A. Warm and rustic: flour textures, hand-drawn type',
        'B. Bright harbour: white space, sea blue accents, large photography',
        'C. Classic: serif headings, cream background',
      ]),
      note: 'Three directions to react to.',
      by: DESIGNER,
    },
    {
      file: await pdfFile('homepage-design.pdf', 'Homepage design', 'Version 2: direction B', [
        'Direction B refined after the workshop',
        'Morning-bake photo as the hero, opening hours right below it',
      ]),
      note: 'Direction B, refined after our call.',
      by: DESIGNER,
    },
    {
      file: await pdfFile('homepage-design.pdf', 'Homepage design', 'Version 3: desktop and mobile', [
        'Final desktop and mobile layouts',
        'Colour palette: harbour blue #1d4e89, rye #c08a3e, flour white #fbf8f3',
        'Pre-order button in the header on every page',
      ]),
      note: 'Final desktop and mobile layouts with the colour palette.',
      by: DESIGNER,
    },
  ]);

  // History: the sitemap was approved by the client, in the client's own session.
  const sitemapApproval = await api.call<{ id: string }>('POST', '/v1/agency/approvals', {
    document_version_id: sitemap.versions[1].id,
    title: 'Approve the sitemap and content plan',
    message: 'This fixes the pages we will design. Approve, or tell us what to change.',
  });
  const session = await api.signIn(client);
  await api.call('POST', `/v1/approvals/${sitemapApproval.id}/decision`, {
    decision: 'approved',
    comment: 'Looks right to us. Go ahead!',
  }, session);
  // The client has opened everything except the newest design, which shows as new.
  for (const [doc, version] of [[sitemap, 2], [design, 1], [design, 2]] as const) {
    const download = await api.raw('GET', `/v1/documents/${doc.id}/versions/${version}/download`, undefined, session);
    if (!download.ok) throw new Error(`demo seed: download answered ${download.status}: ${await download.text()}`);
    await download.arrayBuffer();
  }
  await api.raw('DELETE', '/v1/session', undefined, session);

  // Waiting now: the latest homepage design.
  await api.call('POST', '/v1/agency/approvals', {
    document_version_id: design.versions[2].id,
    title: 'Approve the homepage design',
    message: 'These are the final desktop and mobile layouts. Once approved we start the build.',
    due_on: day(5),
  });

  const paid = await api.call<{ id: string }>('POST', '/v1/agency/invoices', {
    client_id: clientId,
    project_id: project.id,
    number: 'NW-1041',
    currency: 'USD',
    issued_on: day(-62),
    due_on: day(-32),
    lines: [
      { description: 'Discovery workshop (2 days, on site)', quantity: 2, unit_price_minor: 120000 },
      { description: 'Content audit of the current website', quantity: 1, unit_price_minor: 85000 },
    ],
    pay_url: 'https://pay.northwind.example/i/NW-1041',
  });
  await api.call('POST', `/v1/agency/invoices/${paid.id}/paid`, { paid_at: `${day(-40)}T10:24:00Z` });
  await api.call('POST', '/v1/agency/invoices', {
    client_id: clientId,
    project_id: project.id,
    number: 'NW-1046',
    currency: 'USD',
    issued_on: day(-40),
    due_on: day(-10),
    lines: [
      { description: 'Sitemap and content plan', quantity: 1, unit_price_minor: 140000 },
      { description: 'Homepage design: three directions', quantity: 1, unit_price_minor: 220000 },
      { description: 'Stock photography licences', quantity: 3, unit_price_minor: 4500 },
    ],
    pay_url: 'https://pay.northwind.example/i/NW-1046',
  });
  await api.call('POST', '/v1/agency/invoices', {
    client_id: clientId,
    project_id: project.id,
    number: 'NW-1052',
    currency: 'USD',
    issued_on: day(-3),
    due_on: day(27),
    lines: [
      { description: 'Homepage design: desktop and mobile layouts', quantity: 1, unit_price_minor: 260000 },
      { description: 'Design review calls (hours)', quantity: 3, unit_price_minor: 15000 },
    ],
    pay_url: 'https://pay.northwind.example/i/NW-1052',
  });
}

/** A bicycle maker's brand identity, in its last phase, invoiced in euros with VAT. */
async function seedAlpenrad(api: DemoApi, clientId: string) {
  const project = await api.call<{ id: string }>('POST', '/v1/agency/projects', {
    client_id: clientId,
    name: 'Brand identity',
    phases: ['Research', 'Identity', 'Guidelines'],
    current_phase: 3,
  });
  await api.document(clientId, project.id, 'Logo and identity system', [
    {
      file: await pdfFile('alpenrad-identity.pdf', 'Logo and identity system', 'Version 1', [
        'Wordmark and the mountain-wheel symbol',
        'Primary colour: glacier teal',
      ]),
      note: 'First round.',
      by: DESIGNER,
    },
    {
      file: await pdfFile('alpenrad-identity.pdf', 'Logo and identity system', 'Version 2', [
        'Symbol simplified for small sizes (favicon, frame decal)',
        'Secondary colour: summit orange',
      ]),
      note: 'Simplified symbol that still reads on a frame decal.',
      by: DESIGNER,
    },
  ]);
  await api.document(clientId, project.id, 'Brand guidelines', [
    {
      file: await pdfFile('alpenrad-guidelines.pdf', 'Brand guidelines', 'Draft', [
        'Logo clear space and minimum sizes',
        'Typography: headings and body',
      ]),
      note: 'Draft of the guidelines for review.',
      by: DESIGNER,
    },
    {
      file: await pdfFile('alpenrad-guidelines.pdf', 'Brand guidelines', 'Version 2', [
        'Logo clear space and minimum sizes',
        'Typography: headings and body',
        'Photography and tone of voice',
      ]),
      note: 'Added photography and tone of voice.',
      by: DESIGNER,
    },
  ]);
  const deposit = await api.call<{ id: string }>('POST', '/v1/agency/invoices', {
    client_id: clientId,
    project_id: project.id,
    number: 'NW-1038',
    currency: 'EUR',
    issued_on: day(-75),
    due_on: day(-61),
    tax_rate_bp: 1900,
    lines: [{ description: 'Brand identity: deposit (50%)', quantity: 1, unit_price_minor: 450000 }],
  });
  await api.call('POST', `/v1/agency/invoices/${deposit.id}/paid`, { paid_at: `${day(-66)}T09:00:00Z` });
  await api.call('POST', '/v1/agency/invoices', {
    client_id: clientId,
    project_id: project.id,
    number: 'NW-1050',
    currency: 'EUR',
    issued_on: day(-7),
    due_on: day(7),
    tax_rate_bp: 1900,
    lines: [
      { description: 'Brand identity: balance (50%)', quantity: 1, unit_price_minor: 450000 },
      { description: 'Brand guidelines (PDF, 32 pages)', quantity: 1, unit_price_minor: 180000 },
    ],
    pay_url: 'https://pay.northwind.example/i/NW-1050',
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface VersionSpec {
  file: File;
  note: string;
  by: string;
}

type DemoApi = ReturnType<typeof demoApi>;

/** Calls the API in-process as the demo agency (or, with a session, as a demo client). */
function demoApi(env: PorchEnv) {
  async function raw(method: string, path: string, body?: unknown, bearer: string = DEMO.apiKey): Promise<Response> {
    const headers = new Headers({ authorization: `Bearer ${bearer}` });
    if (body !== undefined && !(body instanceof FormData)) headers.set('content-type', 'application/json');
    const payload = body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body);
    return app.request(path, { method, headers, body: payload }, env);
  }
  async function call<T = unknown>(method: string, path: string, body?: unknown, bearer?: string): Promise<T> {
    const res = await raw(method, path, body, bearer);
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }
  return {
    raw,
    call,
    /** A document with its versions, oldest first. */
    async document(clientId: string, projectId: string, title: string, versions: VersionSpec[]) {
      const doc = await call<{ id: string }>('POST', '/v1/agency/documents', { client_id: clientId, project_id: projectId, title });
      const created: { id: string; version: number }[] = [];
      for (const version of versions) {
        const form = new FormData();
        form.set('file', version.file);
        form.set('note', version.note);
        form.set('created_by', version.by);
        created.push(await call('POST', `/v1/agency/documents/${doc.id}/versions`, form));
      }
      return { id: doc.id, versions: created };
    },
    /** Signs in as a demo client through POST /v1/session, as the widget does. */
    async signIn(client: DemoClient): Promise<string> {
      const token = await signEmbedToken(
        { iss: DEMO.agencyId, sub: client.externalId, name: client.name, email: client.email },
        { id: DEMO.embedKeyId, secret: DEMO.embedSecret },
      );
      return (await call<{ session: string }>('POST', '/v1/session', { token })).session;
    },
  };
}

/** `YYYY-MM-DD`, `offset` days from today (UTC). */
function day(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

function textFile(name: string, text: string): File {
  return new File([text], name, { type: 'text/plain' });
}

/** A one-page A4 PDF in the studio's colours: enough to open and look like a deliverable. */
async function pdfFile(name: string, title: string, subtitle: string, lines: string[]): Promise<File> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${title}: ${subtitle}`);
  pdf.setAuthor(DEMO.agencyName);
  const page = pdf.addPage([595.28, 841.89]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const brand = rgb(0x2f / 255, 0x6f / 255, 0x5e / 255);
  const { width, height } = page.getSize();
  page.drawRectangle({ x: 0, y: height - 80, width, height: 80, color: brand });
  page.drawText(DEMO.agencyName.toUpperCase(), { x: 48, y: height - 50, size: 14, font: bold, color: rgb(1, 1, 1) });
  page.drawText(title, { x: 48, y: height - 140, size: 26, font: bold, color: rgb(0.1, 0.1, 0.1) });
  page.drawText(subtitle, { x: 48, y: height - 170, size: 14, font: regular, color: brand });
  lines.forEach((line, index) => {
    page.drawText(`- ${line}`, { x: 48, y: height - 220 - index * 24, size: 12, font: regular, color: rgb(0.2, 0.2, 0.2) });
  });
  page.drawRectangle({ x: 48, y: 120, width: width - 96, height: 300, borderColor: brand, borderWidth: 1, color: rgb(0.96, 0.97, 0.96) });
  page.drawText('Preview', { x: 60, y: 400, size: 10, font: regular, color: brand });
  const bytes = await pdf.save();
  return new File([new Uint8Array(bytes)], name, { type: 'application/pdf' });
}
