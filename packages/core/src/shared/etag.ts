import { AppError } from '../errors';

/** Strong entity tag of a record version, as used in ETag / If-Match. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * Checks an If-Match header (a list of tags, weak or strong, or `*`) against the current version.
 * Throws precondition_failed (412) naming `what` and carrying the current ETag when stale.
 */
export function assertIfMatchVersion(ifMatch: string, version: number, what: string): void {
  const tags = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*') || tags.includes(etagOf(version))) return;
  throw new AppError('precondition_failed', `${what} is at version ${version}; re-read it and retry`, { currentEtag: etagOf(version) });
}
