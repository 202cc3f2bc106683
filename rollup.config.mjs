// Builds dist/porch.js: the one minified ES module (with its source map) an agency's page loads.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { build } from 'esbuild';
import ts from 'typescript';

/**
 * Squeezes the white space out of the static text of `html` and `css` tagged templates in
 * esbuild's output, which terser leaves as written: each run of white space becomes one space, or
 * one line break if it had one (so source maps keep their lines), which HTML renders the same; CSS
 * also loses the spaces around its punctuation. Expressions (`${…}`), strings, other templates and
 * regular expressions are copied as they are.
 */
function squeezeTemplates(code) {
  const space = (run) => run.replace(/[^\n]/g, '') || ' ';
  const tidy = {
    html: (text) => text.replace(/\s+/g, space),
    css: (text) =>
      text
        .replace(/\/\*[^]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ''))
        .replace(/\s+/g, space)
        .replace(/ ?([{};,>]) ?/g, '$1')
        .replace(/: /g, ':'),
  };
  let i = 0;
  // Copies code up to the `}` closing an expression (or the end), past what may hide a backtick.
  function copyCode(closing) {
    let out = '';
    let depth = 0;
    while (i < code.length) {
      const c = code[i];
      if (c === '"' || c === "'") {
        const start = i++;
        while (code[i] !== c) i += code[i] === '\\' ? 2 : 1;
        out += code.slice(start, ++i);
      } else if (c === '`') {
        const tag = /\b(html|css)\d*\s*$/.exec(out)?.[1];
        out += template(tag ? tidy[tag] : (text) => text);
      } else if (c === '/' && code[i + 1] === '/') {
        const end = code.indexOf('\n', i);
        out += code.slice(i, (i = end < 0 ? code.length : end));
      } else if (c === '/' && code[i + 1] === '*') {
        const end = code.indexOf('*/', i + 2) + 2;
        out += code.slice(i, (i = end));
      } else if (c === '/' && /(^|[=(,:;!&|?{}[]|\breturn|\btypeof)$/.test(out.trimEnd().slice(-7))) {
        // A regular expression literal: copy to its closing slash (past classes and escapes).
        const start = i++;
        let inClass = false;
        while (code[i] !== '/' || inClass) {
          if (code[i] === '\\') i++;
          else if (code[i] === '[') inClass = true;
          else if (code[i] === ']') inClass = false;
          i++;
        }
        out += code.slice(start, ++i);
      } else {
        if (c === '{') depth++;
        if (c === '}' && depth-- === 0 && closing) return out;
        out += c;
        i++;
      }
    }
    return out;
  }
  // Copies a template literal from its opening backtick, tidying its static text.
  function template(tidyText) {
    let out = '`';
    let text = '';
    i++;
    while (code[i] !== '`') {
      if (code[i] === '\\') {
        text += code.slice(i, i + 2);
        i += 2;
      } else if (code[i] === '$' && code[i + 1] === '{') {
        i += 2;
        out += `${tidyText(text)}\${${copyCode(true)}}`;
        text = '';
        i++;
      } else text += code[i++];
    }
    i++;
    return `${out}${tidyText(text)}\``;
  }
  return copyCode(false);
}

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
      const code = squeezeTemplates(outputFiles.find((f) => f.path.endsWith('.js')).text);
      const map = outputFiles.find((f) => f.path.endsWith('.map')).text;
      return { code, map };
    },
  };
}

/**
 * Porch promises to define no globals but its elements. Lit (production build) defines three kinds:
 * version lists (litHtmlVersions and the like, to warn about duplicate copies) and
 * `litPropertyMetadata`, a WeakMap its decorators share through globalThis. The bundle leaves the
 * version lists out and gives the decorators a module-local WeakMap instead. (Lit also polyfills
 * the standard `Symbol.metadata`, which decorators need; that is not a global name.) The build
 * fails if a Lit upgrade changes the code these patterns match, rather than leak a global quietly.
 */
function withoutLitGlobals() {
  const METADATA = '\0porch-lit-metadata';
  const rewrites = [
    [/\(\w+\.(?:litHtmlVersions|litElementVersions|reactiveElementVersions)\?\?=\[\]\)\.push\("[^"]*"\)/g, 'void 0'],
    [/\w+\.litPropertyMetadata\?\?=new WeakMap/g, 'void 0'],
    [/(?:globalThis\.)?litPropertyMetadata\b/g, '__porchPropertyMetadata'],
  ];
  return {
    name: 'porch-no-lit-globals',
    resolveId: (id) => (id === METADATA ? id : null),
    load: (id) => (id === METADATA ? 'export const litPropertyMetadata = new WeakMap();' : null),
    transform(code, id) {
      if (!/[\\/]node_modules[\\/](lit-html|lit-element|@lit[\\/]reactive-element)[\\/]/.test(id)) return null;
      let rewritten = code;
      for (const [pattern, replacement] of rewrites) rewritten = rewritten.replace(pattern, replacement);
      if (/Versions\?\?=|globalThis\.lit/.test(rewritten)) this.error(`Lit defines a global in ${id} that the build does not know how to leave out.`);
      if (rewritten === code) return null;
      if (rewritten.includes('__porchPropertyMetadata')) {
        rewritten = `import { litPropertyMetadata as __porchPropertyMetadata } from '${METADATA}';\n${rewritten}`;
      }
      return { code: rewritten, map: null };
    },
  };
}

/** The plugins that make the bundle; bench/run.ts bundles Lit alone with the same ones. */
export function bundlePlugins() {
  return [
    nodeResolve({ extensions: ['.ts', '.mjs', '.js'] }),
    widgetSources(),
    withoutLitGlobals(),
    terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ];
}

/**
 * dist/porch.d.ts beside the bundle, for pages written in TypeScript: the element classes,
 * `HTMLElementTagNameMap`, the events on `HTMLElementEventMap` and their detail types. tsc emits the
 * entry's declarations (and those of what it imports) into dist/types/; porch.d.ts re-exports them.
 * Relative imports keep the sources' `.ts`, which the declarations rewrite to `.js` so that any
 * TypeScript setup resolves them (to the `.d.ts` beside).
 */
function declarations({ input, dir }) {
  const outDir = resolve(dir, 'types');
  return {
    name: 'porch-declarations',
    async writeBundle() {
      const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
      const options = { ...config.options, noEmit: false, declaration: true, emitDeclarationOnly: true, outDir, rootDir: resolve('.'), types: [] };
      const program = ts.createProgram([resolve(input)], options);
      const problems = ts.getPreEmitDiagnostics(program);
      if (problems.length) this.error(ts.formatDiagnostics(problems, { ...ts.sys, getCanonicalFileName: (f) => f, getNewLine: () => '\n' }));
      await rm(outDir, { recursive: true, force: true });
      const files = [];
      program.emit(undefined, (file, text) => files.push([file, text.replace(/(from\s+['"]\.{1,2}\/[^'"]*)\.ts(['"])/g, '$1.js$2')]), undefined, true);
      for (const [file, text] of files) {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, text);
      }
      const entry = `./types/${input.replace(/\.ts$/, '.js')}`;
      await writeFile(resolve(dir, 'porch.d.ts'), `// The types of porch.js: element classes, tag and event maps, event details.\nexport * from '${entry}';\n`);
    },
  };
}

export default [
  {
    input: 'widget/porch.ts',
    output: { file: 'dist/porch.js', format: 'es', sourcemap: true },
    plugins: [...bundlePlugins(), declarations({ input: 'widget/porch.ts', dir: 'dist' })],
  },
];
