/**
 * Where a storm's simulator spends its CPU, from a `perf record -g -p PID` of it: each sample is put in the
 * first class its call chain matches.
 *   far side of the wire: under veth_xmit or the softirq a syscall runs on its way out (net_rx_action), i.e.
 *     kernel work after the datagram left the simulator's own stack: the hub's bridge, the server's receive
 *     path and whatever it triggers there (a TCP ACK releasing the server's next segments, sendfile
 *     included), charged to the sender on veth (no IRQ time accounting). Before run 6 only veth_xmit counted,
 *     and the bridge's backlog, processed when the send re-enabled softirqs, was read as own kernel;
 *   fork + exec: starting processes (`ip addr add` per phone before addresses.c);
 *   GC: V8's collector (its worker threads, or the main thread in the heap);
 *   SHA-256: hashing the downloaded bytes;
 *   own kernel: the rest of the kernel (the simulator's syscalls, its receive copies, page faults);
 *   own user: everything else (JavaScript, Node, the native TFTP loop).
 *
 *   node bench/storm/perf-split.ts perf.data [more.data ...]
 */
import { execFileSync } from 'node:child_process';

const CLASSES = [
  'far side of the wire',
  'fork + exec',
  'GC',
  'SHA-256',
  'own kernel',
  'own user',
] as const;
type Class = (typeof CLASSES)[number];

function classify(comm: string, frames: { sym: string; dso: string }[]): Class {
  if (frames.some((f) => f.sym === 'veth_xmit' || f.sym === 'net_rx_action'))
    return 'far side of the wire';
  if (frames.some((f) => /^(__do_sys_clone|__x64_sys_execve)$/.test(f.sym)))
    return 'fork + exec';
  if (
    comm.startsWith('V8Worker') ||
    frames.some((f) =>
      /v8::internal::(Heap|Scavenger|MarkCompact|Sweeper)/.test(f.sym),
    )
  )
    return 'GC';
  if (frames.some((f) => f.sym.startsWith('sha256_block'))) return 'SHA-256';
  if (frames[0]?.dso.includes('kernel')) return 'own kernel';
  return 'own user';
}

for (const file of process.argv.slice(2)) {
  const out = execFileSync(
    'perf',
    ['script', '-i', file, '-F', 'comm,ip,sym,dso'],
    { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] },
  ).toString();
  const counts = new Map<Class, number>(CLASSES.map((c) => [c, 0]));
  let total = 0;
  for (const block of out.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    const comm = lines[0]!.trim().split(/\s+/)[0] ?? '';
    const frames = lines.slice(1).map((l) => {
      const m = /^\s*[0-9a-f]+\s+(.*)\s\(([^()]*)\)\s*$/.exec(l);
      return { sym: m?.[1] ?? '', dso: m?.[2] ?? '' };
    });
    const c = classify(comm, frames);
    counts.set(c, counts.get(c)! + 1);
    total++;
  }
  console.log(
    `${file}: ${total} samples; ${CLASSES.map((c) => `${c} ${((100 * counts.get(c)!) / Math.max(1, total)).toFixed(1)} %`).join(', ')}`,
  );
}
