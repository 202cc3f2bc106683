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
