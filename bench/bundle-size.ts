/**
 * The size of what an agency's page downloads. Builds dist/porch.js as
 * `npm run build` does, bundles Lit alone the same way (rollup, the same plugins, terser), and
 * prints both gzipped (level 9) with their ratio, against the budget of 20 KB gzipped for the whole
 * bundle, Lit included.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { rollup, type OutputChunk, type Plugin, type RollupOptions } from 'rollup';

const BUDGET_BYTES = 20 * 1024;
const LIT_ALONE = '\0lit-alone';

// The build's own configuration, so the numbers are the shipped bundle's.
const config = (await import('../rollup.config.mjs' as string)) as {
  default: (RollupOptions & { output: { file: string } })[];
  bundlePlugins(): Plugin[];
};

async function buildPorch(): Promise<{ code: Buffer; chunk: OutputChunk }> {
  const options = config.default[0];
  const bundle = await rollup(options);
  const { output } = await bundle.write(options.output);
  await bundle.close();
  return { code: await readFile(options.output.file), chunk: output[0] };
}

/** Everything `lit` exports, bundled and minified exactly like the widget. */
async function buildLitAlone(): Promise<Buffer> {
  const entry: Plugin = {
    name: 'lit-alone',
    resolveId: (id) => (id === LIT_ALONE ? id : null),
    load: (id) => (id === LIT_ALONE ? "export * from 'lit';" : null),
  };
  const bundle = await rollup({ input: LIT_ALONE, plugins: [entry, ...config.bundlePlugins()] });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  return Buffer.from(output[0].code);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const gzip = (code: Buffer) => gzipSync(code, { level: 9 }).length;

const { code: porch, chunk } = await buildPorch();
const lit = await buildLitAlone();
const porchGzip = gzip(porch);
const litGzip = gzip(lit);

// Where the bundle's bytes come from, before minification.
const shares = new Map<string, number>();
for (const [id, module] of Object.entries(chunk.modules)) {
  const from = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(id)?.[1]?.replace('\\', '/') ?? 'widget (Porch)';
  shares.set(from, (shares.get(from) ?? 0) + module.renderedLength);
}
const total = [...shares.values()].reduce((a, b) => a + b, 0);

const rows: [string, string, string][] = [
  ['dist/porch.js (Lit included)', kb(porch.length), kb(porchGzip)],
  ['lit alone', kb(lit.length), kb(litGzip)],
];
console.log(`${'bundle'.padEnd(30)}${'minified'.padStart(10)}${'gzip -9'.padStart(10)}`);
for (const [name, raw, zipped] of rows) console.log(`${name.padEnd(30)}${raw.padStart(10)}${zipped.padStart(10)}`);
console.log(`${'porch.js / lit (gzipped)'.padEnd(30)}${`${(porchGzip / litGzip).toFixed(2)}×`.padStart(20)}`);
const spare = BUDGET_BYTES - porchGzip;
console.log(
  `budget ${kb(BUDGET_BYTES)} gzipped: ${spare >= 0 ? `within, ${kb(spare)} to spare` : `OVER by ${kb(-spare)}`}`,
);
console.log('\nshare of the bundle before minification:');
for (const [from, bytes] of [...shares].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${from.padEnd(28)}${`${((bytes / total) * 100).toFixed(0)}%`.padStart(5)}`);
}
if (spare < 0) process.exitCode = 1;
