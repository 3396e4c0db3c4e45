/**
 * Prometheus text exposition format 0.0.4: # HELP and # TYPE once per family, then one sample per line,
 * label values escaped (backslash, double quote, newline). Deterministic: families in insertion order,
 * samples sorted by their label string.
 */
export type MetricType = 'counter' | 'gauge' | 'untyped';

export interface Family { name: string; help: string; type: MetricType; samples: Map<string, number> }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export interface Exposition {
  add(name: string, type: MetricType, help: string, value: number, labels?: Readonly<Record<string, string | undefined>>): void;
  render(): string;
}

export function createExposition(): Exposition {
  const families = new Map<string, Family>();
  return {
    add(name, type, help, value, labels = {}) {
      if (!NAME.test(name) || !Number.isFinite(value)) return;
      let f = families.get(name);
      if (!f) { f = { name, help, type, samples: new Map() }; families.set(name, f); }
      const parts = Object.entries(labels).filter(([k, v]) => v !== undefined && LABEL.test(k)).map(([k, v]) => `${k}="${escapeLabel(v!)}"`);
      const key = parts.length ? `{${parts.join(',')}}` : '';
      f.samples.set(key, (f.samples.get(key) ?? 0) + value);
    },
    render() {
      let out = '';
      for (const f of families.values()) {
        out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
        for (const k of [...f.samples.keys()].sort()) out += `${f.name}${k} ${f.samples.get(k)}\n`;
      }
      return out;
    },
  };
}

/** snake_case of a stats field: bytesSent → bytes_sent. */
export const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
