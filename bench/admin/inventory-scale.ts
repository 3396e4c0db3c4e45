/**
 * What the two admin routes that grow with the inventory cost at its cap (10,000 phones): the CPU of this
 * process (user + system) to build the /api/phones and /metrics bodies, median of 7 per round, goal < 100 ms.
 *
 *   node bench/admin/inventory-scale.ts [--rounds 5]
 *
 * Prints one line per round and a markdown summary (with uptime before and after) to append to
 * bench/results/inventory.md.
 */
import {
  cpuMedianMs,
  inventoryAtCap,
} from '../../test/lib/admin/inventory-at-cap.ts';
import { numArg } from '../lib/args.ts';
import { uptime } from '../lib/uptime.ts';

const rounds = numArg('rounds', 5);
const before = uptime();
const lab = inventoryAtCap();
const rows: { phones: number; metrics: number }[] = [];
for (let r = 0; r < rounds; r++) {
  const phones = await cpuMedianMs(7, lab.apiPhones);
  const metrics = await cpuMedianMs(7, lab.metrics);
  rows.push({ phones, metrics });
  console.log(
    `round ${r + 1}: /api/phones ${phones.toFixed(1)} ms, /metrics ${metrics.toFixed(1)} ms`,
  );
}
const worst = (k: 'phones' | 'metrics'): number =>
  Math.max(...rows.map((x) => x[k]));
const list = (k: 'phones' | 'metrics'): string =>
  rows.map((x) => x[k].toFixed(1)).join(', ');
console.log(`
Command: \`node bench/admin/inventory-scale.ts --rounds ${rounds}\` (${new Date().toISOString()}, Node ${process.version}).
uptime before: \`${before}\`; after: \`${uptime()}\`.

| route (10,000 phones) | CPU ms per request, median of 7, each round | worst round | goal |
|---|---|---|---|
| /api/phones | ${list('phones')} | ${worst('phones').toFixed(1)} | < 100 |
| /metrics | ${list('metrics')} | ${worst('metrics').toFixed(1)} | < 100 |
`);
