/**
 * The admin token: `Authorization: Bearer TOKEN`, or HTTP basic auth with any user name and the token as the
 * password (what a browser prompt gives). Compared in constant time. Without services.admin.token in
 * appliance.yaml, a random token is generated once and kept in <dataDir>/admin-token (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBasic, sameSecret } from '../shared/secrets.ts';

export const TOKEN_FILE = 'admin-token';

/** The token a request presents, or undefined. */
export function presentedToken(
  authorization: string | undefined,
): string | undefined {
  if (authorization === undefined || authorization.length > 4096)
    return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  return parseBasic(authorization)?.password;
}

export function tokenMatches(
  authorization: string | undefined,
  token: string,
): boolean {
  const given = presentedToken(authorization);
  return given !== undefined && sameSecret(given, token);
}

/** The configured token, else the one kept in the data directory (created on first use). */
export async function resolveToken(
  configured: string | undefined,
  dataDir: string,
): Promise<{
  token: string;
  source: 'config' | 'file' | 'generated';
  file: string;
  saveError?: string;
}> {
  const file = join(dataDir, TOKEN_FILE);
  if (configured !== undefined)
    return { token: configured, source: 'config', file };
  try {
    const t = (await readFile(file, 'utf8')).trim();
    if (t.length >= 16) return { token: t, source: 'file', file };
  } catch {
    /* create it */
  }
  const token = randomBytes(24).toString('base64url');
  try {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, `${token}\n`, { mode: 0o600 });
  } catch (e) {
    // A full disk must not stop the appliance: the token holds for this run only.
    return {
      token,
      source: 'generated',
      file,
      saveError: (e as Error).message,
    };
  }
  return { token, source: 'generated', file };
}
