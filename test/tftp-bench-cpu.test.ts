/**
 * The TFTP benchmark's CPU accounting (bench/lib/cpu-groups.ts): a cgroup counts the CPU of processes
 * forked inside it that have already exited (tftpd-hpa's per-transfer children, which /proc sampling loses),
 * and nothing of processes outside it. Needs root and a cgroup2 mount; skipped otherwise.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { cgroup2Mount, createCpuGroups } from '../bench/lib/cpu-groups.ts';

const skip =
  process.getuid?.() !== 0
    ? 'needs root'
    : cgroup2Mount() === undefined
      ? 'no cgroup2 mount'
      : false;

/** node -e that spins until it has used `ms` of CPU, then exits. */
const burn = (ms: number): string =>
  `const t=process.cpuUsage();while((process.cpuUsage(t).user+process.cpuUsage(t).system)<${ms * 1000});`;

function run(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const c = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    c.on('error', reject);
    c.on('exit', (code) => resolve(code ?? -1));
  });
}

test('a cgroup holds the CPU of exited children, and only its own', {
  skip,
}, async () => {
  const g = createCpuGroups('tftp-bench-test', ['in', 'out']);
  const top = dirname(dirname(g.procsFile('in')));
  try {
    const before = g.read('in');
    // A shell joins "in", then forks two children one after the other; both have exited when it returns.
    const code = await run([
      'sh',
      '-c',
      'echo $$ > "$1" && "$2" -e "$3" && "$2" -e "$3"',
      'sh',
      g.procsFile('in'),
      process.execPath,
      burn(150),
    ]);
    assert.equal(code, 0);
    // Outside any of the groups: not counted.
    assert.equal(await run([process.execPath, '-e', burn(150)]), 0);
    const used = g.read('in').usageUs - before.usageUs;
    assert.ok(
      used >= 300_000,
      `in: ${used} µs, want ≥ 300000 (two exited children)`,
    );
    assert.ok(
      used < 3_000_000,
      `in: ${used} µs counts more than its own processes`,
    );
    const u = g.read('in');
    assert.ok(u.userUs + u.systemUs <= u.usageUs + 20_000);
    assert.equal(g.read('out').usageUs, 0);
  } finally {
    g.destroy();
  }
  assert.equal(existsSync(top), false, 'destroy() removes the folders');
});
