/**
 * appliance-phonesim: boot one or many simulated Polycom phones against a provisioning server.
 * Prints the aggregate on stdout (or JSON with --json), a progress line on stderr while running.
 * Exit code 0 when every phone was provisioned, 1 when some failed, 2 on a usage error. The command line is
 * read by cli-options.ts and turned into phones and settings by cli-plan.ts.
 */

import { writeFileSync } from 'node:fs';
import { addressAssigner } from './addresses.ts';
import { USAGE } from './cli-options.ts';
import { planFromArgs } from './cli-plan.ts';
import { createDhcpMux } from './dhcp-mux.ts';
import { formatAggregate } from './report.ts';
import { runSimulation } from './sim.ts';

export async function main(argv: readonly string[]): Promise<number> {
  const plan = planFromArgs(argv);
  if (!plan.ok) {
    process.stderr.write(
      plan.error.message === 'help'
        ? `${USAGE}\n`
        : `appliance-phonesim: ${plan.error.code}: ${plan.error.message}\n${USAGE}\n`,
    );
    return plan.error.message === 'help' ? 0 : 2;
  }
  const p = plan.value;
  const mux = p.dhcp
    ? await createDhcpMux(p.dhcpServer ? { server: p.dhcpServer } : {})
    : undefined;
  try {
    const result = await runSimulation({
      ...p.sim,
      env: {
        ...p.sim.env,
        mux,
        assignAddress: p.assignIface
          ? addressAssigner(p.assignIface)
          : undefined,
      },
      progress: p.quiet
        ? undefined
        : (line) => process.stderr.write(`${line}\n`),
    });
    const dhcpStats = mux?.stats();
    process.stdout.write(
      `${formatAggregate(result.aggregate)}\n${dhcpStats ? `dhcp packets sent ${dhcpStats.sent}, received ${dhcpStats.received}, malformed ${dhcpStats.malformed}, unclaimed ${dhcpStats.unclaimed}\n` : ''}`,
    );
    if (p.json !== undefined) {
      const text = `${JSON.stringify({ aggregate: result.aggregate, dhcp: dhcpStats, phones: result.reports }, null, 1)}\n`;
      if (p.json === '-') process.stdout.write(text);
      else writeFileSync(p.json, text);
    }
    return result.aggregate.failed === 0 ? 0 : 1;
  } finally {
    await mux?.close();
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
