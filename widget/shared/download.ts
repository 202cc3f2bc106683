/**
 * Hands a Blob to the browser as a download. Porch files sit behind the session bearer, so a plain
 * link cannot fetch them: fetch, then a temporary object URL on a temporary `<a download>`.
 */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  // Give the browser time to start reading before the URL goes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The name to save version `version` of a file under: `brief-v2.pdf`, so versions saved side by
 * side do not overwrite each other. A name that already ends in its version (`brief-v2.pdf`) stays.
 */
export function versionedName(filename: string, version: number): string {
  const dot = filename.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [filename.slice(0, dot), filename.slice(dot)] : [filename, ''];
  return new RegExp(`(^|[^a-z\\d])v0*${version}$`, 'i').test(stem) ? filename : `${stem}-v${version}${extension}`;
}
