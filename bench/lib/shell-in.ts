/**
 * A shell in a network namespace whose CPU is counted exactly: the shell joins a cgroup (cpu-groups.ts) before
 * it enters the namespace, so it and every client it forks are counted there. (`ip netns exec` remounts /sys,
 * which hides the cgroup2 mount inside the namespace: a shell there cannot join.)
 */
import { spawn } from 'node:child_process';

/** Runs `script` with sh in namespace `ns`, the shell's pid first written to `procsFile`; its stdout. */
export function shellIn(
  ns: string,
  procsFile: string,
  script: string,
  timeoutMs = 300_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'sh',
      [
        '-c',
        'echo $$ > "$1" && exec ip netns exec "$2" sh -c "$3"',
        'sh',
        procsFile,
        ns,
        script,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(new Error(`client round exited ${code}: ${err.slice(-2000)}`));
    });
  });
}
