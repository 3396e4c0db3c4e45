/**
 * What a service launcher (service-launcher.ts, ntp-syslog-launcher.ts) prints, read back: JSON lines on
 * stdout (the ready line, events, stats lines asked for with SIGUSR2), the tail of its logs on stderr.
 */
import type { ChildProcess } from 'node:child_process';
import { waitFor } from './netns.ts';

export interface LauncherOutput<E, S> {
  readonly ready: Record<string, unknown>;
  readonly events: E[];
  /** The tail of the launcher's stderr (its logs). */
  stderr(): string;
  /** Ask for a stats line (SIGUSR2) and return it. */
  stats(): Promise<S>;
  /** Wait for an event matching pred; the error names what and ends with the launcher's logs. */
  event(pred: (e: E) => boolean, what: string, timeoutMs: number): Promise<E>;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
}

/** Follow the launcher's output and wait (15 s at most) for its ready line; throws with its logs if it exits first. */
export async function readLauncher<E, S = Record<string, unknown>>(
  child: ChildProcess,
  name: string,
): Promise<LauncherOutput<E, S>> {
  const events: E[] = [];
  const statsLines: S[] = [];
  let ready: Record<string, unknown> | undefined;
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const j = JSON.parse(line) as {
          ready?: unknown;
          event?: E;
          stats?: unknown;
        };
        if (j.ready) ready = j as Record<string, unknown>;
        if (j.event) events.push(j.event);
        if (j.stats) statsLines.push(j as S);
      } catch {
        /* not ours */
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20000);
  });
  await waitFor(
    () => ready !== undefined || child.exitCode !== null,
    15_000,
    `${name} launcher`,
  );
  if (ready === undefined) throw new Error(`${name} launcher exited: ${err}`);
  return {
    ready,
    events,
    stderr: () => err,
    async stats() {
      const n = statsLines.length;
      process.kill(child.pid!, 'SIGUSR2');
      await waitFor(() => statsLines.length > n, 5_000, 'stats line');
      return statsLines[statsLines.length - 1]!;
    },
    event: (pred, what, timeoutMs) =>
      waitFor(
        () => events.find(pred),
        timeoutMs,
        `${what} (stderr: ${err.slice(-500)})`,
      ),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await waitFor(
        () => child.exitCode !== null,
        5_000,
        `${name} launcher exit`,
      ).catch(() => child.kill('SIGKILL'));
    },
  };
}
