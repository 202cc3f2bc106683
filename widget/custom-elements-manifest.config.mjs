// `cem analyze --config widget/custom-elements-manifest.config.mjs` (run by `npm run build`):
// custom-elements.json from the JSDoc above each element class.

/**
 * Makes the manifest list exactly the six elements a page can use, each with its tag, defined by
 * widget/porch.ts. The analyzer cannot see that on its own: porch.ts registers the elements through
 * `define(tag, element)` (which tolerates a second copy of the script), which it reads as a
 * definition of a tag called `tag`; and it counts the base classes, which extend LitElement, as
 * custom elements without tags.
 */
function porchDefinitions() {
  const ENTRY = 'widget/porch.ts';
  return {
    name: 'porch-definitions',
    packageLinkPhase({ customElementsManifest }) {
      const definitions = [];
      for (const module of customElementsManifest.modules) {
        module.exports = (module.exports ?? []).filter((e) => e.kind !== 'custom-element-definition');
        for (const declaration of module.declarations ?? []) {
          if (!declaration.customElement) continue;
          if (!declaration.tagName) {
            delete declaration.customElement;
            continue;
          }
          definitions.push({
            kind: 'custom-element-definition',
            name: declaration.tagName,
            declaration: { name: declaration.name, module: module.path },
          });
        }
      }
      const entry = customElementsManifest.modules.find((module) => module.path === ENTRY);
      if (!entry) throw new Error(`${ENTRY} is not in the manifest`);
      entry.exports.push(...definitions);
    },
  };
}

export default {
  globs: ['widget/**/*.ts'],
  exclude: ['widget/**/*.test.ts', 'widget/test/**'],
  outdir: '.',
  litelement: true,
  // The manifest is a build output; leave package.json alone.
  packagejson: false,
  plugins: [porchDefinitions()],
};
