/**
 * Validators and conditional requests (RFC 9110 §8.8, §13) as pure functions over a FileInfo's etag and mtime.
 *
 * The tree's etag is a strong validator; we send it quoted. HTTP dates have one-second resolution, so
 * mtimes are compared truncated to the second.
 */

/** The tree's etag as an HTTP entity-tag (quoted, strong). */
export function httpEtag(treeEtag: string): string {
  if (treeEtag.startsWith('"') || treeEtag.startsWith('W/"')) return treeEtag;
  return `"${treeEtag.replace(/["\\\r\n]/g, '')}"`;
}

export const httpDate = (d: Date): string => d.toUTCString();

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** Parse an HTTP-date; undefined when it is not one. */
function parseDate(text: string): number | undefined {
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

/** Entity-tags of an If-None-Match / If-Match list; '*' is returned as ['*']. */
export function parseEtagList(header: string): string[] {
  const h = header.trim();
  if (h === '*') return ['*'];
  const tags: string[] = [];
  const re = /\s*((?:W\/)?"[^"]*")\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(h)) !== null && m[0] !== '') tags.push(m[1]!);
  return tags;
}

const opaque = (tag: string): string =>
  tag.startsWith('W/') ? tag.slice(2) : tag;

/** Weak comparison (If-None-Match). */
function weakMatch(list: string[], etag: string): boolean {
  return list.some((t) => t === '*' || opaque(t) === opaque(etag));
}

export interface ConditionalHeaders {
  readonly ifNoneMatch?: string | undefined;
  readonly ifModifiedSince?: string | undefined;
}

/**
 * True when a GET/HEAD must be answered 304 Not Modified. If-None-Match, when present, decides alone
 * (If-Modified-Since is then ignored, RFC 9110 §13.1.3).
 */
export function isNotModified(
  h: ConditionalHeaders,
  etag: string,
  mtime: Date,
): boolean {
  if (h.ifNoneMatch !== undefined)
    return weakMatch(parseEtagList(h.ifNoneMatch), etag);
  if (h.ifModifiedSince !== undefined) {
    const since = parseDate(h.ifModifiedSince);
    if (since === undefined) return false;
    return seconds(mtime) <= since;
  }
  return false;
}

/**
 * If-Range (RFC 9110 §13.1.5): the range applies only if the validator still matches: a strong etag compared
 * strongly, or a date equal to Last-Modified. Absent header: the range applies.
 */
export function rangeStillValid(
  ifRange: string | undefined,
  etag: string,
  mtime: Date,
): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('W/')) return false;
  if (v.startsWith('"')) return v === etag && !etag.startsWith('W/');
  const d = parseDate(v);
  return d !== undefined && d === seconds(mtime);
}
