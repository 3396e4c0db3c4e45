/**
 * The benchmarks' side of bench/http/load.ts (HTTP and FTP): one load generator process in the client namespace
 * for the whole run, born in a cgroup (its shell writes its own pid into `procsFile` before it execs node), so
 * its CPU is read exactly around each round. round() sends one "URL COUNT SIZE" line and waits for its answer.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../lib/appliance-run.ts';

export interface RoundResult {
  readonly wallMs: number;
  readonly failures: number;
  readonly bytes: number;
}

export interface LoadClient {
  round(url: string, count: number, size: number): Promise<RoundResult>;
  /** Close its stdin and wait for the exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

export function startLoadClient(
  ns: string,
  procsFile: string,
  client: string,
): LoadClient {
  const child = spawn(
    'sh',
    [
      '-c',
      'echo $$ > "$1" && exec ip netns exec "$2" "$3" "$4" --client "$5"',
      'sh',
      procsFile,
      ns,
      process.execPath,
      join(REPO, 'bench/http/load.ts'),
      client,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = createInterface({ input: child.stdout! })[
    Symbol.asyncIterator
  ]();
  return {
    async round(url, count, size) {
      child.stdin!.write(`${url} ${count} ${size}\n`);
      const next = await lines.next();
      if (next.done) throw new Error('load generator exited');
      return JSON.parse(next.value) as RoundResult;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
