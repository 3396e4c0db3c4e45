/**
 * A lab for the SNTP server and the syslog receiver: a namespace lab (srv .1, then the client hosts) with
 * ntp-syslog-launcher.ts started in srv, its ready line, emitted events and stats lines read back.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { readLauncher } from './launcher-output.ts';
import { createLab, type Lab, waitFor } from './netns.ts';
import { REPO } from './service-lab.ts';

export const NTP_SYSLOG_LAUNCHER = join(
  REPO,
  'test/lib/ntp-syslog-launcher.ts',
);
export const UDP_PROBE = join(REPO, 'test/lib/udp-probe.ts');
export const FUZZ_SENDER = join(REPO, 'test/lib/ntp-syslog-fuzz-sender.ts');

export interface NtpSyslogLab {
  readonly lab: Lab;
  readonly child: ChildProcess;
  readonly port: number;
  readonly events: Record<string, unknown>[];
  event(
    pred: (e: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** A stats line (SIGUSR2): {stats, maxRssKb, …}. */
  stats(): Promise<Record<string, any>>;
  /** Poll stats until pred holds. */
  statsUntil(
    pred: (s: Record<string, any>) => boolean | Promise<boolean>,
    what: string,
    timeoutMs?: number,
  ): Promise<Record<string, any>>;
  stderr(): string;
  destroy(): Promise<void>;
}

export async function startNtpSyslogLab(o: {
  readonly which: 'ntp' | 'syslog';
  readonly prefix: string;
  readonly subnet: string;
  readonly hosts: readonly string[];
  readonly yaml: string;
  readonly leases?: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
}): Promise<NtpSyslogLab> {
  const lab = await createLab({
    prefix: o.prefix,
    hosts: ['srv', ...o.hosts],
    subnet: o.subnet,
  });
  try {
    const leaseArgs = Object.entries(o.leases ?? {}).flatMap(([ip, mac]) => [
      '--lease',
      `${ip}=${mac}`,
    ]);
    const child = lab.spawn(
      'srv',
      [
        process.execPath,
        NTP_SYSLOG_LAUNCHER,
        o.which,
        o.yaml,
        ...leaseArgs,
        ...(o.args ?? []),
      ],
      { cwd: REPO },
    );
    const out = await readLauncher<
      Record<string, unknown>,
      Record<string, any>
    >(child, o.which);
    const ready = out.ready as { port: number };
    return {
      lab,
      child,
      port: ready.port,
      events: out.events,
      event: (pred, what, timeoutMs = 5_000) =>
        out.event(pred, what, timeoutMs),
      stats: out.stats,
      statsUntil: (pred, what, timeoutMs = 10_000) =>
        waitFor(
          async () => {
            const s = await out.stats();
            return (await pred(s)) ? s : undefined;
          },
          timeoutMs,
          what,
        ),
      stderr: out.stderr,
      async destroy() {
        try {
          await out.stop();
        } finally {
          await lab.destroy();
        }
      },
    };
  } catch (e) {
    await lab.destroy();
    throw e;
  }
}
