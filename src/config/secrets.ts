/**
 * Secrets outside git: any string value of appliance.yaml may be, or contain, ${env:NAME} or ${file:PATH}
 * (PATH relative to the file; compose secrets under /run/secrets/ work as written). Resolved on the parsed
 * YAML before the schema sees it, so every later check sees the real value and a missing secret is an error
 * at the value's file:line:col; at load and at every reload, as both go through loadConfigText.
 * The resolved values are kept so output can hide them (redact), and literal passwords are pointed out.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

type PathKey = string | number;

export interface SecretProblem {
  readonly path: readonly PathKey[];
  readonly message: string;
}

export interface Resolved {
  /** Every resolved value (non-empty), for redact(). */
  readonly values: readonly string[];
  /** Dotted paths whose value came from a reference. */
  readonly fromSecrets: ReadonlySet<string>;
  readonly problems: readonly SecretProblem[];
}

const REFERENCE = /\$\{(env|file):([^}]*)\}/g;

/** Replace the references in every string of `data`, in place (it is the loader's own parse). */
export function resolveSecrets(
  data: unknown,
  baseDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Resolved {
  const values = new Set<string>();
  const fromSecrets = new Set<string>();
  const problems: SecretProblem[] = [];
  const one = (
    kind: string,
    ref: string,
    path: readonly PathKey[],
  ): string | undefined => {
    const name = ref.trim();
    if (kind === 'env') {
      const v = env[name];
      if (v === undefined)
        problems.push({
          path,
          message: `\${env:${name}}: the environment variable ${name} is not set`,
        });
      return v;
    }
    try {
      return readFileSync(resolve(baseDir, name), 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      problems.push({
        path,
        message: `\${file:${name}}: cannot read the secret file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      });
      return undefined;
    }
  };
  const walk = (v: unknown, path: PathKey[]): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('${')) return v;
      let hit = false;
      const out = v.replace(REFERENCE, (_m, kind: string, ref: string) => {
        hit = true;
        const s = one(kind, ref, path) ?? '';
        if (s !== '') values.add(s);
        return s;
      });
      if (hit) fromSecrets.add(path.join('.'));
      return out;
    }
    if (Array.isArray(v))
      v.forEach((x, i) => {
        v[i] = walk(x, [...path, i]);
      });
    else if (v !== null && typeof v === 'object')
      for (const [k, x] of Object.entries(v))
        (v as Record<string, unknown>)[k] = walk(x, [...path, k]);
    return v;
  };
  walk(data, []);
  return { values: [...values], fromSecrets, problems };
}

const PASSWORD_PARAM = /^reg\.\d+\.auth\.password$/;
const FACTORY = 'PlcmSpIp';

/**
 * Passwords written into appliance.yaml itself: reg.N.auth.password parameters, site accounts and boot-server
 * passwords (the factory PlcmSpIp has its own warning), the admin token. One finding per kind: the first
 * place, and how many more.
 */
export function literalSecrets(
  data: unknown,
  fromSecrets: ReadonlySet<string>,
): SecretProblem[] {
  const found = new Map<string, PathKey[][]>();
  const add = (kind: string, path: PathKey[], value: unknown): void => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    if (value === '' || value === FACTORY || fromSecrets.has(path.join('.')))
      return;
    const list = found.get(kind);
    if (list) list.push(path);
    else found.set(kind, [path]);
  };
  const obj = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : {};
  const params = (p: unknown, at: PathKey[]): void => {
    for (const [k, v] of Object.entries(obj(p)))
      if (PASSWORD_PARAM.test(k)) add('reg.N.auth.password', [...at, k], v);
  };
  const root = obj(data);
  add(
    'the admin token',
    ['appliance', 'services', 'admin', 'token'],
    obj(obj(obj(root.appliance).services).admin).token,
  );
  params(root.parameters, ['parameters']);
  for (const [name, m] of Object.entries(obj(root.models)))
    params(obj(m).parameters, ['models', name, 'parameters']);
  for (const [key, p] of Object.entries(obj(root.phones)))
    params(obj(p).parameters, ['phones', key, 'parameters']);
  for (const [name, s] of Object.entries(obj(root.sites))) {
    params(obj(s).parameters, ['sites', name, 'parameters']);
    add(
      'a boot-server password',
      ['sites', name, 'bootServer', 'password'],
      obj(obj(s).bootServer).password,
    );
    const accounts = obj(s).accounts;
    if (Array.isArray(accounts)) {
      for (const [i, a] of accounts.entries()) {
        add(
          'an account password',
          ['sites', name, 'accounts', i, 'password'],
          obj(a).password,
        );
      }
    }
  }
  return [...found].map(([kind, paths]) => ({
    path: paths[0]!,
    message: `${kind} is written in the file${paths.length > 1 ? ` (and ${paths.length - 1} more)` : ''}: use \${env:NAME} or \${file:/run/secrets/NAME} to keep it out of git`,
  }));
}

const xmlEscaped = (s: string): string =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** `bytes` with every resolved secret (as written, XML-escaped or URL-encoded) overwritten by asterisks. */
export function redact(
  bytes: string | Uint8Array,
  secrets: readonly string[],
): Buffer {
  const buf = Buffer.from(bytes);
  for (const s of secrets) {
    for (const form of new Set([s, xmlEscaped(s), encodeURIComponent(s)])) {
      const needle = Buffer.from(form);
      for (
        let i = buf.indexOf(needle);
        i >= 0;
        i = buf.indexOf(needle, i + needle.length)
      )
        buf.fill('*', i, i + needle.length);
    }
  }
  return buf;
}
