/**
 * Downloads run by the native engine (engine.c and the files engine.h lists): the service thread accepts and negotiates an RRQ and opens
 * the file through the tree; the engine's thread then runs the data phase on its own sockets. A file on disk
 * is read by the engine from the descriptor the tree opened (kept open here, never read here, closed once the
 * engine reports the outcome); other streams (rendered files, a few KiB) are read here and handed over as
 * bytes. Counters come back as totals and are added to the service's stats as differences.
 */
import { ReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { loadAddon } from '../../shared/native-addon.ts';
import type { Result } from '../../shared/result.ts';
import { openDescriptor } from '../../tree/descriptor.ts';
import { encode } from '../codec/packet.ts';
import type { TransferConfig } from '../machine/machine.ts';
import type { TftpStats } from '../stats.ts';
import type { Peer } from '../transfer.ts';

type Engine = { readonly __engine: unique symbol };

interface EngineAddon {
  createEngine(
    done: (id: number, result: string, message: string, bytes: number) => void,
  ): Engine;
  start(
    engine: Engine,
    id: number,
    peerAddress: string,
    peerPort: number,
    bindAddress: string | null,
    fd: number,
    start: number,
    end: number,
    data: Buffer | null,
    blksize: number,
    windowsize: number,
    oack: Buffer | null,
    initialMs: number,
    maxMs: number,
    maxRetries: number,
    lifetimeMs: number,
  ): number;
  shutdown(engine: Engine, id: number): void;
  counters(engine: Engine): number[];
  close(engine: Engine): void;
}

/**
 * APPLIANCE_NATIVE_SANITIZE=1 builds the engine with AddressSanitizer and UBSan (its own cached build), for
 * running the TFTP tests against it; node then needs the ASan runtime preloaded (LD_PRELOAD of the
 * compiler's libasan.so): bench/tftp-fuzz/asan-tests.sh does both. A UBSan finding aborts like an ASan one.
 */
const SANITIZE = [
  '-fsanitize=address,undefined',
  '-fno-sanitize-recover=all',
  '-fno-omit-frame-pointer',
  '-g',
];

/** The engine's files besides engine.c (the binding): engine.h lists what each holds. */
const ENGINE_PARTS = ['engine.h', 'transfer.c', 'xfer.c', 'loop.c'];

export function loadEngineAddon(): Result<EngineAddon, string> {
  return loadAddon<EngineAddon>(
    join(import.meta.dirname, 'engine.c'),
    [
      '-pthread',
      // The parts call each other by plain names (loop, scan, ...): kept inside the addon, never bound to
      // a symbol of the same name that node exports.
      '-fvisibility=hidden',
      ...(process.env.APPLIANCE_NATIVE_SANITIZE === '1' ? SANITIZE : []),
    ],
    ENGINE_PARTS.map((f) => join(import.meta.dirname, f)),
  );
}

export interface EngineJob {
  readonly peer: Peer;
  readonly bindAddress: string | undefined;
  readonly spec: TransferConfig;
  /** The transfer ends TFTP_LIFETIME this long after the engine takes it. */
  readonly lifetimeMs: number;
  readonly stream: Readable;
  /** Exactly once per job. */
  readonly finish: (result: string, message: string, bytes: number) => void;
  /** Once, after finish: the transfer's sockets are released. */
  readonly closed: () => void;
}

export interface NativeDownloads {
  start(job: EngineJob): { shutdown(): void };
  /** Adds what the engine counted since the last call to the service's stats. */
  syncStats(): void;
  close(): void;
}

const COUNTERS = [
  'malformed',
  'wrongTid',
  'duplicates',
  'unexpected',
  'retransmits',
  'bytesSent',
] as const;

/** Reads a (small) rendered file's stream to its end. */
async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream)
    parts.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(parts);
}

/** One engine thread per two cores, 1 to 4 (see createNativeDownloads). */
export function defaultEngineThreads(cores: number): number {
  return Math.max(1, Math.min(4, Math.floor(cores / 2)));
}

/**
 * `threads` engine threads (default: one per two cores, 1 to 4), each with its own epoll and transfers, new
 * transfers going to the one with fewest. The other cores are left to the JavaScript thread (requests, DHCP,
 * events), libuv's pool and GC: one per core (as before) made two engine threads on two cores, each idle
 * between datagrams and woken for almost every one, which cost CPU per block (bench/results/storm.md, run 10t).
 * The cost: windowed downloads that need more than one core's worth of engine are capped at one core
 * (bench/results/tftp.md, "One engine thread on two cores").
 */
export function createNativeDownloads(
  addon: EngineAddon,
  stats: TftpStats,
  threads = defaultEngineThreads(availableParallelism()),
): NativeDownloads {
  const running = new Map<
    number,
    { job: EngineJob; engine: Engine; slot: number }
  >();
  let last = COUNTERS.map(() => 0);
  let nextId = 1;
  let open = true;
  const done = (
    id: number,
    result: string,
    message: string,
    bytes: number,
  ): void => {
    const r = running.get(id);
    if (!r) return;
    running.delete(id);
    load[r.slot]!--;
    const { job } = r;
    syncStats();
    job.stream.destroy(); // closes the descriptor: the engine has closed the transfer and reads no more
    job.finish(result, message, bytes);
    job.closed();
  };
  const engines = Array.from({ length: Math.max(1, Math.floor(threads)) }, () =>
    addon.createEngine(done),
  );
  const load = engines.map(() => 0);
  function syncStats(): void {
    if (!open) return;
    const now = COUNTERS.map(() => 0);
    for (const e of engines)
      addon.counters(e).forEach((v, i) => {
        now[i]! += v;
      });
    COUNTERS.forEach((k, i) => {
      stats[k] += now[i]! - last[i]!;
    });
    last = now;
  }

  return {
    start(job) {
      const id = nextId++;
      let slot = 0;
      for (let i = 1; i < engines.length; i++)
        if (load[i]! < load[slot]!) slot = i;
      const engine = engines[slot]!;
      const entry = { job, engine, slot };
      load[slot]!++;
      running.set(id, entry);
      let shut = false;
      let started = false;
      const fail = (e: unknown): void => {
        if (running.get(id) !== entry) return;
        running.delete(id);
        load[slot]!--;
        job.stream.destroy();
        job.finish('TFTP_IO', `transfer setup: ${String(e)}`, 0);
        job.closed();
      };
      const { spec } = job;
      const oack =
        spec.oack && spec.oack.length > 0
          ? encode({ op: 'oack', options: spec.oack })
          : null;
      const go = (
        fd: number,
        from: number,
        to: number,
        data: Buffer | null,
      ): void => {
        if (running.get(id) !== entry) return;
        if (!open) {
          fail(new Error('server shutting down'));
          return;
        }
        addon.start(
          engine,
          id,
          job.peer.address,
          job.peer.port,
          job.bindAddress ?? null,
          fd,
          from,
          to,
          data,
          spec.blksize,
          spec.windowsize,
          oack,
          spec.retry.initialMs,
          spec.retry.maxMs,
          spec.retry.maxRetries,
          job.lifetimeMs,
        );
        started = true;
        if (shut) addon.shutdown(engine, id);
      };
      job.stream.on('error', () => {
        /* reported by openFd / readAll */
      });
      const ready =
        job.stream instanceof ReadStream
          ? openDescriptor(job.stream).then((f) =>
              go(f.fd, f.start, f.end, null),
            )
          : readAll(job.stream).then((data) => go(-1, 0, -1, data));
      ready.catch(fail);
      return {
        shutdown() {
          shut = true;
          if (started && running.get(id) === entry) addon.shutdown(engine, id);
        },
      };
    },
    syncStats,
    close() {
      if (!open) return;
      syncStats();
      open = false;
      for (const e of engines) addon.close(e); // transfers still running end with TFTP_SHUTDOWN (reported asynchronously)
    },
  };
}
