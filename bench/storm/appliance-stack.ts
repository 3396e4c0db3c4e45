/**
 * The appliance stack of a storm: `appliance run` on the storm's folder (DHCP + the protocol's service),
 * sampled for peak RSS and CPU (and CPU by thread name, threads.ts); with `fault`, killed -9 mid-storm and
 * restarted, then checked (fault.ts).
 * Env: STORM_NODE_FLAGS (node flags for the appliance), STORM_MEMPROBE=FILE (memoryUsage() every 500 ms).
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { APPLIANCE_MAIN } from '../../test/lib/phonesim-lab.ts';
import { checkFault } from './fault.ts';
import { folder, lab } from './lab.ts';
import { runPhones } from './phones.ts';
import {
  LABEL,
  type StackResult,
  type StormSpec,
  sampler,
  spawnWatched,
} from './stacks.ts';
import { threadSampler } from './threads.ts';

const MEMPROBE = new URL('./memprobe.ts', import.meta.url).pathname;

export async function applianceStack(
  spec: StormSpec,
  fault: boolean,
  killAtS = 10,
): Promise<StackResult> {
  const { dir, yamlPath } = await folder(spec.models, spec.proto, spec.scale);
  const l = await lab(spec.rateBps, spec.pin);
  try {
    // STORM_NODE_FLAGS: node flags for the appliance; STORM_MEMPROBE=FILE: memoryUsage() every 500 ms.
    const argv = [
      process.execPath,
      ...(process.env.STORM_NODE_FLAGS?.split(' ') ?? []),
      ...(process.env.STORM_MEMPROBE ? ['--import', MEMPROBE] : []),
      APPLIANCE_MAIN,
      ...['run', '--config', yamlPath],
    ];
    let app = await spawnWatched(l, spec, argv, 'appliance running');
    const s = sampler(() => app.child.pid);
    const byThread = fault ? undefined : threadSampler(app.child.pid!);
    let faultInfo: Record<string, unknown> | undefined;
    const sim = await runPhones(
      l,
      dir,
      spec,
      [],
      {
        label: `${LABEL[spec.proto].app}${fault ? ' kill' : ''}`,
        appliance: !fault,
        serverOut: () => app.out(),
        serverPid: () => app.child.pid,
      },
      fault
        ? async () => {
            await new Promise((r) => setTimeout(r, killAtS * 1000));
            s.rebase();
            const t = performance.now();
            process.kill(app.child.pid!, 'SIGKILL');
            await new Promise((r) => app.child.once('exit', r));
            app = await spawnWatched(l, spec, argv, 'appliance running');
            faultInfo = {
              killedAtS: killAtS,
              restartMs: Math.round(performance.now() - t),
            };
          }
        : undefined,
    );
    const a = s.stop();
    if (byThread)
      process.stderr.write(
        `storm: ${LABEL[spec.proto].app} CPU by thread while the phones ran: ${byThread
          .stop()
          .map(([n, v]) => `${n} ${v.toFixed(2)} s`)
          .join(', ')}\n`,
      );
    if (fault)
      faultInfo = { ...faultInfo, ...(await checkFault(sim.sim, yamlPath)) };
    return {
      stack: fault
        ? `${LABEL[spec.proto].app}, kill -9 + restart`
        : LABEL[spec.proto].app,
      proto: spec.proto,
      sim: sim.sim,
      simWallMs: sim.wallMs,
      simCpuS: sim.cpuS,
      peakRssKb: { appliance: a.rssKb },
      cpuS: { appliance: a.cpuS },
      ...(faultInfo ? { fault: faultInfo } : {}),
    };
  } finally {
    await l.destroy();
    // STORM_KEEP_DATA=DIR: keep the appliance's data/ (inventory.json, leases) for an offline look.
    if (process.env.STORM_KEEP_DATA)
      await cp(join(dir, 'data'), process.env.STORM_KEEP_DATA, {
        recursive: true,
      });
    await rm(dir, { recursive: true, force: true });
  }
}
