// Builds dist/porch.js: the one minified ES module (with its source map) an agency's page loads.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { build } from 'esbuild';

/**
 * The widget's TypeScript, compiled by esbuild in one pass. esbuild lowers standard decorators
 * (`@property() accessor x`) with helper functions; compiling file by file would repeat those
 * helpers in every module, so esbuild bundles our own sources and leaves Lit to rollup, which
 * resolves and tree-shakes it. Types are erased: nothing from server/ reaches the bundle.
 */
function widgetSources() {
  return {
    name: 'porch-widget-sources',
    async load(id) {
      if (!id.endsWith('.ts')) return null;
      const { outputFiles } = await build({
        entryPoints: [id],
        bundle: true,
        write: false,
        format: 'esm',
        target: 'es2022',
        outdir: 'dist',
        sourcemap: 'external',
        sourcesContent: true,
        packages: 'external',
        tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, experimentalDecorators: false, verbatimModuleSyntax: true } },
      });
      const code = outputFiles.find((f) => f.path.endsWith('.js')).text;
      const map = outputFiles.find((f) => f.path.endsWith('.map')).text;
      return { code, map };
    },
  };
}

/**
 * Lit records its versions on globalThis (litHtmlVersions and the like) to warn about duplicate
 * copies in development. Porch promises to define no globals but its elements, so the bundle
 * leaves those lines out.
 */
function withoutLitVersionGlobals() {
  const versionPush = /\(\w+\.(?:litHtmlVersions|litElementVersions|reactiveElementVersions)\?\?=\[\]\)\.push\("[^"]*"\)/g;
  return {
    name: 'porch-no-lit-globals',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/](lit-html|lit-element|@lit[\\/]reactive-element)[\\/]/.test(id)) return null;
      const stripped = code.replace(versionPush, 'void 0');
      return stripped === code ? null : { code: stripped, map: null };
    },
  };
}

/**
 * Collapses the white space inside css`` and html`` templates, which terser leaves alone. Only runs
 * of white space that contain a line break are touched, and they become one space, so text and
 * attribute values read the same.
 */
function compactTemplates() {
  return {
    name: 'porch-compact-templates',
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const compacted = code.replace(/\b(html|css)`[\s\S]*?`/g, (template) =>
        template.replace(/\s*\n\s*/g, ' '),
      );
      return compacted === code ? null : { code: compacted, map: null };
    },
  };
}

/** The plugins that make the bundle; bench/run.ts bundles Lit alone with the same ones. */
export function bundlePlugins() {
  return [
    nodeResolve({ extensions: ['.ts', '.mjs', '.js'] }),
    widgetSources(),
    withoutLitVersionGlobals(),
    terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ];
}

export default [
  {
    input: 'widget/porch.ts',
    output: { file: 'dist/porch.js', format: 'es', sourcemap: true },
    plugins: bundlePlugins(),
  },
];
