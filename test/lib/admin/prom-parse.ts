/**
 * A strict reader of the Prometheus text format (0.0.4) for tests: every line must be a HELP, a TYPE, a blank
 * line or a sample of a family whose TYPE came first (a histogram's or summary's also as NAME_bucket, _sum,
 * _count); label syntax and escapes are checked. `families` names each family with its TYPE and HELP.
 */
import { err, ok, type Result } from '../../../src/shared/result.ts';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const METRIC = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${METRIC})(\\{(.*)\\})? (\\S+)( -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/y;

export interface Family {
  readonly type: string;
  readonly help: string | undefined;
}

/** The family a sample belongs to: its own name, or a histogram's / summary's series. */
function familyOf(
  name: string,
  types: ReadonlyMap<string, string>,
): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const t = types.get(base);
  return t === 'histogram' || t === 'summary' ? base : undefined;
}

export function parseProm(text: string): Result<Sample[], string> {
  const r = parsePromFamilies(text);
  return r.ok ? ok(r.value.samples) : r;
}

export function parsePromFamilies(
  text: string,
): Result<{ samples: Sample[]; families: Map<string, Family> }, string> {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const out: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const at = `line ${i + 1}: ${line}`;
    if (line.startsWith('#')) {
      const m = new RegExp(`^# (HELP|TYPE) (${METRIC}) ?(.*)$`).exec(line);
      if (!m) return err(`${at}: bad comment`);
      if (m[1] === 'HELP') helps.set(m[2]!, m[3]!);
      if (m[1] === 'TYPE') {
        if (
          !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(
            m[3]!,
          )
        )
          return err(`${at}: bad type`);
        if (types.has(m[2]!)) return err(`${at}: TYPE twice`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) return err(`${at}: not a sample`);
    if (familyOf(m[1]!, types) === undefined)
      return err(`${at}: sample before its TYPE`);
    // As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan").
    const word = m[4]!.toLowerCase();
    const value =
      word === '+inf' || word === 'inf'
        ? Infinity
        : word === '-inf'
          ? -Infinity
          : Number(m[4]);
    if (Number.isNaN(value) && word !== 'nan') return err(`${at}: bad value`);
    const labels: Record<string, string> = {};
    const body = m[3] ?? '';
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const start = LABEL.lastIndex;
      const l = LABEL.exec(body);
      if (!l || l.index !== start) return err(`${at}: bad labels`);
      labels[l[1]!] = l[2]!
        .replace(/\\n/g, '\n')
        .replace(/\\"/g, '"')
        .replace(/\\\\/g, '\\');
    }
    out.push({ name: m[1]!, labels, value });
  }
  return ok({
    samples: out,
    families: new Map(
      [...types].map(([name, type]) => [name, { type, help: helps.get(name) }]),
    ),
  });
}

/** Sum of a family's samples whose labels include `match`. */
export const total = (
  samples: readonly Sample[],
  name: string,
  match: Record<string, string> = {},
): number =>
  samples
    .filter(
      (s) =>
        s.name === name &&
        Object.entries(match).every(([k, v]) => s.labels[k] === v),
    )
    .reduce((n, s) => n + s.value, 0);
