/**
 * The storm's fault check (--fault): after the appliance was killed -9 mid-storm and restarted, no address may
 * be held by two phones, and every upload the server acknowledged (last boot of each phone) must be intact.
 */
import { checksum } from '../../phonesim/src/transfer.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { createTree } from '../../src/tree/tree.ts';
import type { SimJson } from '../../test/lib/phonesim-lab.ts';

const UPLOADS = ['boot-log', 'app-log', 'calls-upload', 'override-upload'];

export async function checkFault(
  sim: SimJson,
  yamlPath: string,
): Promise<Record<string, unknown>> {
  const byAddr = new Map<string, string[]>();
  for (const p of sim.phones)
    if (p.address)
      byAddr.set(p.address, [...(byAddr.get(p.address) ?? []), p.mac]);
  const duplicates = [...byAddr.entries()].filter(
    ([, macs]) => macs.length > 1,
  );
  const model = await loadConfigFile(yamlPath);
  if (!model.ok) throw new Error('yaml');
  const tree = createTree(model.value.model);
  let acked = 0;
  const damaged: string[] = [];
  for (const p of sim.phones) {
    for (const s of p.steps as {
      step: string;
      status: string;
      detail?: string;
      crc32?: string;
    }[]) {
      if (!UPLOADS.includes(s.step) || s.status !== 'ok' || !s.detail) continue;
      acked++;
      const f = await tree.read(s.detail);
      if (!f.ok || checksum(f.value) !== s.crc32)
        damaged.push(`${p.mac} ${s.detail}`);
    }
  }
  return {
    duplicateAddresses: duplicates.length,
    duplicates: duplicates.slice(0, 5),
    acknowledgedUploads: acked,
    damagedUploads: damaged.length,
    damaged: damaged.slice(0, 5),
  };
}
