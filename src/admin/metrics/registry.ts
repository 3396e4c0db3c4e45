/**
 * /metrics through prom-client: one Registry per admin server (never the global one) holding the families
 * of families.ts, filled from one scrape (inputs.ts) each time it is read, plus prom-client's process and
 * Node metrics (resident memory, heap, event-loop lag, GC, handles).
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { FAMILIES, type Family, type Labels } from './families.ts';
import { gather, type MetricsInputs, type Scrape } from './inputs.ts';

export interface Metrics {
  /** The exposition, Prometheus text format 0.0.4. */
  render(): Promise<string>;
  readonly contentType: string;
}

/** Label values as prom-client takes them: undefined ones left out. */
const defined = (l: Labels): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(l)) if (v !== undefined) out[k] = v;
  return out;
};

export function createMetrics(
  inputs: MetricsInputs,
  now: () => number = Date.now,
): Metrics {
  const registry = new Registry();
  let scrape: Scrape | undefined;
  const register = (f: Family): void => {
    const Kind = f.type === 'counter' ? Counter : Gauge;
    new Kind({
      name: f.name,
      help: f.help,
      labelNames: f.labels ?? [],
      registers: [registry],
      // Rebuilt from the scrape at every read; inc (not set) so samples with the same labels add up.
      collect(this: Counter | Gauge) {
        this.reset();
        if (!scrape) return;
        for (const [labels, n] of f.samples(scrape))
          if (Number.isFinite(n)) this.inc(defined(labels), n);
      },
    });
  };
  for (const f of FAMILIES) register(f);
  collectDefaultMetrics({ register: registry });
  return {
    contentType: registry.contentType,
    render() {
      scrape = gather(inputs, now());
      return registry.metrics();
    },
  };
}
