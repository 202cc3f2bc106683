/** Small HTTP helpers the routes share. */

/**
 * `Content-Disposition: attachment` with `filename="…"` for old clients (printable ASCII, with
 * quotes, backslashes, percent signs and path separators replaced) and `filename*` with the exact
 * UTF-8 name, percent-encoded as RFC 5987 requires (which also escapes ' ( ) *).
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%/]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
