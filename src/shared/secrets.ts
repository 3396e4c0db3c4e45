/** Credentials helpers shared by the FTP, HTTP and admin front-ends. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality (hashed first, so lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(a).digest(),
    createHash('sha256').update(b).digest(),
  );
}

/** user and password from an `Authorization: Basic` header (RFC 7617); undefined when absent or malformed. */
export function parseBasic(
  header: string | undefined,
): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
