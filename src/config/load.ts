/**
 * appliance.yaml text → Result<ApplianceModel, issues>. YAML syntax and duplicate keys, schema (types,
 * unknown keys), then semantics (build.ts), each issue at its file:line:col. Nothing partial is returned.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CORE_SCHEMA, load, type YAMLException } from 'js-yaml';
import { LineCounter, parseDocument } from 'yaml';
import { err, ok, type Result } from '../shared/result.ts';
import { buildModel } from './build.ts';
import { CONFIG_CHECKS } from './checks.ts';
import { type ConfigIssue, Locator, type ModelCheck } from './issues.ts';
import type { ApplianceModel } from './model.ts';
import { ApplianceSchema } from './schema.ts';
import { literalSecrets, resolveSecrets } from './secrets.ts';

export interface Loaded {
  model: ApplianceModel;
  warnings: ConfigIssue[];
  /** The values ${env:…} and ${file:…} resolved to: output that is not for phones hides them (secrets.ts redact). */
  secrets: readonly string[];
  /**
   * Advice `appliance validate` prints, not a warning of the running appliance: passwords written in the file.
   * A function: locating an issue needs the position-keeping parse, which only validate should pay for.
   */
  advice: () => ConfigIssue[];
}

/** `checks` run on the built model (policy/load.ts passes the domain's); their findings become warnings or errors. */
export function loadConfigText(
  text: string,
  file: string,
  checks: readonly ModelCheck[] = [],
): Result<Loaded, ConfigIssue[]> {
  // Fast path: js-yaml (YAML 1.2 core schema; refuses duplicate keys). The position-keeping parser of the
  // \`yaml\` package is ten times slower on a 10,000-phone file, so it runs only to locate an issue.
  let data: unknown;
  try {
    data = load(text, { schema: CORE_SCHEMA, filename: file });
  } catch (e) {
    return err(syntaxIssues(text, file, e as YAMLException));
  }
  const at = new Locator(text, file);
  const secrets = resolveSecrets(data, dirname(resolve(file)));
  if (secrets.problems.length > 0)
    return err(
      secrets.problems
        .map((p) => at.issue('error', 'CFG_SECRET', p.path, p.message))
        .sort(byPosition),
    );
  const parsed = ApplianceSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i): ConfigIssue[] => {
      const path = i.path.filter(
        (k): k is string | number => typeof k !== 'symbol',
      );
      if (i.code === 'unrecognized_keys') {
        return i.keys.map((k) =>
          at.issue(
            'error',
            'CFG_UNKNOWN_KEY',
            [...path, k],
            `unknown key "${k}"${hint(k)}`,
            'key',
          ),
        );
      }
      const code = i.code === 'invalid_type' ? 'CFG_TYPE' : 'CFG_VALUE';
      const message =
        i.code === 'invalid_type' && i.message.includes('received undefined')
          ? `missing required key (${i.message.replace(/^Invalid input: /, '')})`
          : i.message.replace(/^Invalid input: /, '');
      return [at.issue('error', code, path, message)];
    });
    return err(issues.sort(byPosition));
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  const built = buildModel(parsed.data, at, { file, sha256 });
  const warnings = built.issues.filter((i) => i.severity === 'warning');
  if (!built.model) return err(built.issues.sort(byPosition));
  const model = built.model;
  const found = [...CONFIG_CHECKS, ...checks]
    .flatMap((check) => check(model))
    .map((f) => at.issue(f.severity, f.code, f.path, f.message, f.which));
  if (found.some((i) => i.severity === 'error'))
    return err([...built.issues, ...found].sort(byPosition));
  const literal = literalSecrets(data, secrets.fromSecrets);
  const advice = (): ConfigIssue[] =>
    literal
      .map((p) => at.issue('warning', 'CFG_SECRET_LITERAL', p.path, p.message))
      .sort(byPosition);
  return ok({
    model,
    warnings: [...warnings, ...found].sort(byPosition),
    secrets: secrets.values,
    advice,
  });
}

export async function loadConfigFile(
  path: string,
  checks: readonly ModelCheck[] = [],
): Promise<Result<Loaded, ConfigIssue[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return err([
      {
        severity: 'error',
        code: 'CFG_READ',
        file: path,
        line: 1,
        col: 1,
        path: '',
        message: `cannot read: ${(e as Error).message}`,
      },
    ]);
  }
  return loadConfigText(text, path, checks);
}

/** Syntax errors and duplicate keys, located by the \`yaml\` parser (clear messages), else by js-yaml's mark. */
function syntaxIssues(
  text: string,
  file: string,
  e: YAMLException,
): ConfigIssue[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lc,
    prettyErrors: true,
    uniqueKeys: true,
  });
  if (doc.errors.length > 0) {
    return doc.errors.map((d) => {
      const pos = d.linePos?.[0] ?? { line: 1, col: 1 };
      const dup = d.code === 'DUPLICATE_KEY';
      const message = dup
        ? 'duplicate key (each key may appear once)'
        : d.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return {
        severity: 'error',
        code: dup ? 'CFG_DUPLICATE_KEY' : 'CFG_SYNTAX',
        file,
        line: pos.line,
        col: pos.col,
        path: '',
        message,
      } satisfies ConfigIssue;
    });
  }
  const mark = e.mark ?? { line: 0, column: 0 };
  const dup = /duplicated mapping key/.test(e.reason ?? '');
  return [
    {
      severity: 'error',
      code: dup ? 'CFG_DUPLICATE_KEY' : 'CFG_SYNTAX',
      file,
      line: mark.line + 1,
      col: mark.column + 1,
      path: '',
      message: dup
        ? 'duplicate key (each key may appear once)'
        : (e.reason ?? e.message),
    },
  ];
}

const byPosition = (a: ConfigIssue, b: ConfigIssue): number =>
  a.line - b.line || a.col - b.col;

const KNOWN_HINTS: Record<string, string> = {
  pools: 'pool',
  ntpServers: 'ntp',
  gateway: 'router',
  routers: 'router',
  vlanId: 'vlan',
  mac: 'phones keys',
  boot_server: 'bootServer',
  bootserver: 'bootServer',
  params: 'parameters',
  time_offset: 'timeOffset',
};
const hint = (k: string): string =>
  KNOWN_HINTS[k] ? ` (did you mean "${KNOWN_HINTS[k]}"?)` : '';
