/**
 * The built bundle (dist/porch.js, from `npm run build`) as an agency's page loads it: on a page
 * whose Content-Security-Policy forbids inline scripts, eval and inline styles, included twice.
 */
// First, so the built bundle defines the elements here; the helpers' import of the sources then
// finds every tag taken, as a second copy of the script on a page would.
import '/dist/porch.js';
import { expect, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { deepText, mount, until } from './helpers.ts';
import { liveEnv, tokenUrl } from './live.ts';

const TAGS = ['porch-portal', 'porch-status', 'porch-documents', 'porch-approvals', 'porch-approve-button', 'porch-invoices'];

type ProbedWindow = Window & typeof globalThis & { __globalsBefore: string[]; __problems: string[] };

describe('dist/porch.js on a strict page', () => {
  let frame: HTMLIFrameElement;
  let win: ProbedWindow;

  before(async () => {
    frame = document.createElement('iframe');
    frame.title = 'strict page';
    frame.width = '375';
    frame.height = '667';
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    frame.src = '/__porch/strict.html?client=demo-client-2';
    document.body.append(frame);
    await loaded;
    win = frame.contentWindow as ProbedWindow;
    const portal = win.document.querySelector('porch-portal')!;
    await until(portal, () => deepText(portal).includes('Paid invoices') && deepText(portal).includes('Phase 3 of 3'), 'the portal on the strict page');
  });

  after(() => frame.remove());

  it('renders the portal with no CSP violation and no error, though the script is there twice', () => {
    const scripts = win.performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname + new URL(entry.name).search);
    expect(scripts).to.include.members(['/dist/porch.js', '/dist/porch.js?second-copy']);
    expect(win.__problems).to.deep.equal([]);
    expect(deepText(win.document.body)).to.contain('Phase 3 of 3: Guidelines');
  });

  it('defines its elements and no global names', () => {
    for (const tag of TAGS) expect(win.customElements.get(tag), tag).to.be.a('function');
    const added = Object.getOwnPropertyNames(win).filter((name) => !win.__globalsBefore.includes(name) && !name.startsWith('__'));
    expect(added).to.deep.equal([]);
  });

});

describe('dist/porch.js on an ordinary page', () => {
  it('is accessible', async () => {
    expect(customElements.get('porch-portal')!.toString()).to.not.contain('__decorate', 'the bundle, not the sources');
    const { api } = await liveEnv();
    const portal = await mount<HTMLElement>(html`<porch-portal api=${api} token-url=${tokenUrl('demo-client-2')}></porch-portal>`);
    expect(deepText(portal)).to.contain('Phase 3 of 3: Guidelines');
    await expect(portal).to.be.accessible();
  });
});

describe('what the build ships beside the bundle', () => {
  const read = async (path: string) => {
    const text = await executeServerCommand<string | null, { path: string }>('porch-build-output', { path: path.slice(1) });
    expect(text, path).to.be.a('string');
    return text!;
  };

  it('types for TypeScript pages: dist/porch.d.ts with the element classes, the tag map and the event details', async () => {
    expect(await read('/dist/porch.d.ts')).to.contain("export * from './types/widget/porch.js';");
    const entry = await read('/dist/types/widget/porch.d.ts');
    expect(entry).to.contain('export { PorchApproveButton, PorchApprovals, PorchDocuments, PorchInvoices, PorchPortal, PorchStatus }');
    expect(entry).to.match(/PorchApprovedDetail, PorchDownloadDetail, PorchErrorDetail, PorchEventMap, PorchReadyDetail/);
    expect(entry, 'imports a TypeScript setup can resolve').to.not.match(/from '[^']+\.ts'/);
    const classes: Record<string, string> = {
      'porch-portal': 'components/portal/portal',
      'porch-status': 'components/status/status',
      'porch-documents': 'components/documents/documents',
      'porch-approvals': 'components/approvals/approvals',
      'porch-approve-button': 'components/approve-button/approve-button',
      'porch-invoices': 'components/invoices/invoices',
    };
    for (const [tag, path] of Object.entries(classes)) {
      expect(await read(`/dist/types/widget/${path}.d.ts`)).to.match(new RegExp(`interface HTMLElementTagNameMap \\{\\s*'${tag}': Porch\\w+;`));
    }
    const events = await read('/dist/types/widget/shared/events.d.ts');
    expect(events).to.contain('interface HTMLElementEventMap extends PorchEventMap').and.contain('interface DocumentEventMap extends PorchEventMap');
  });

  it('custom-elements.json lists exactly the six elements, each defined under its tag', async () => {
    const manifest = JSON.parse(await read('/custom-elements.json')) as {
      modules: { path: string; declarations?: { name: string; tagName?: string; customElement?: boolean }[]; exports?: { kind: string; name: string; declaration: { name: string } }[] }[];
    };
    const elements = manifest.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.customElement).map((d) => `${d.tagName} ${d.name}`));
    expect(elements.sort()).to.deep.equal(TAGS.map((tag) => `${tag} ${classOf(tag)}`).sort());
    const definitions = manifest.modules.flatMap((m) => (m.exports ?? []).filter((e) => e.kind === 'custom-element-definition').map((e) => `${m.path} ${e.name} ${e.declaration.name}`));
    expect(definitions.sort()).to.deep.equal(TAGS.map((tag) => `widget/porch.ts ${tag} ${classOf(tag)}`).sort());
  });
});

/** `porch-approve-button` → `PorchApproveButton`. */
function classOf(tag: string): string {
  return tag.replace(/(^|-)(\w)/g, (_, _dash, letter: string) => letter.toUpperCase());
}
