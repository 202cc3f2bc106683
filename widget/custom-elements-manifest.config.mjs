// `cem analyze --config widget/custom-elements-manifest.config.mjs` (run by `npm run build`):
// custom-elements.json from the JSDoc above each element class.
export default {
  globs: ['widget/**/*.ts'],
  exclude: ['widget/**/*.test.ts', 'widget/test/**'],
  outdir: '.',
  litelement: true,
  // The manifest is a build output; leave package.json alone.
  packagejson: false,
};
