/** `attachment` with an ASCII fallback and the RFC 5987 UTF-8 name (same header S3 answers with). */
export function contentDispositionOf(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
