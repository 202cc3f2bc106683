/** `npm run bench`: every benchmark, each printing its figures against a baseline from the same run. */
export {};
await import('./bundle-size.ts');
await import('./portal.ts');
