/**
 * Download worker threads, owned by one TFTP service (no module-level state). One Node event loop spends
 * most of a transfer's time in per-datagram work (a send and a receive per block); spreading downloads over
 * worker threads lets the service use every core, as tftpd-hpa does with a process per transfer.
 *
 * A download of a file on disk (the tree's stream is an fs.ReadStream) is read by the worker itself from the
 * stream's descriptor, which this thread keeps open (and never reads) until the worker is done with it:
 * no read-ahead buffer here and no bytes through messages. Other streams (rendered files) are fed on the
 * worker's request. The pool relays the outcome exactly once, and reports any transfer whose worker died
 * or was stopped.
 */
import { ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { startWorker, strippedGraph } from './worker-boot.ts';
import type { DownloadSpec } from './download.ts';
import type { TftpStats } from './stats.ts';
import type { Peer } from './transfer.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

export interface PoolJob {
  readonly peer: Peer;
  readonly bindAddress: string | undefined;
  readonly spec: DownloadSpec;
  readonly stream: Readable;
  /** Exactly once per job. */
  readonly finish: (result: string, message: string, bytes: number) => void;
  /** Once, after finish: the transfer's socket is released. */
  readonly closed: () => void;
}

export interface WorkerPool {
  /** Hands a download to the least busy live worker; undefined when no worker is alive. */
  start(job: PoolJob): { shutdown(): void } | undefined;
  close(): Promise<void>;
}

interface Running {
  readonly job: PoolJob;
  readonly worker: Slot;
  finished: boolean;
  reading: boolean;
}

interface Slot {
  readonly worker: Worker;
  alive: boolean;
  jobs: number;
}

/** fs.ReadStream's fields that @types/node leaves out (documented: fd once open; start/end as given). */
type OpenFile = ReadStream & { readonly fd?: number | null; readonly start?: number; readonly end?: number };

/**
 * A worker's young generation (where every per-datagram object is born). Left alone, V8 grows it to tens of
 * MB under a download's allocation rate, resident in every worker; what a transfer keeps is small, so a
 * small nursery costs only more frequent (cheap) scavenges.
 */
const YOUNG_GENERATION_MB = Number(process.env.TFTP_WORKER_YOUNG_MB ?? 3);

const workerUrl = (): URL => new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/** Starts n workers and waits until they are ready (or gone); with none ready the pool is empty. */
export async function createWorkerPool(n: number, stats: TftpStats, onError: (message: string) => void): Promise<WorkerPool> {
  const running = new Map<number, Running>();
  let nextId = 1;

  const end = (id: number, r: Running, result: string, message: string): void => {
    if (!r.finished) { r.finished = true; r.job.finish(result, message, 0); }
    running.delete(id);
    r.worker.jobs--;
    r.job.stream.destroy();
    r.job.closed();
  };

  const feed = (id: number, r: Running): void => {
    if (r.reading) return;
    const { stream } = r.job;
    const send = (m: ToWorker, transfer: ArrayBuffer[] = []): void => { if (running.get(id) === r) r.worker.worker.postMessage(m, transfer); };
    r.reading = true;
    // fs.ReadStream reads each chunk into a buffer of its own (never a pooled or cached one), so a chunk
    // that spans its whole ArrayBuffer can be moved to the worker instead of copied. Anything else (a
    // rendered file's bytes may be the tree's cached buffer) is copied.
    const ownChunks = stream instanceof ReadStream;
    const attempt = (): void => {
      if (running.get(id) !== r) return;
      const c: unknown = stream.read();
      if (c !== null) {
        const b = typeof c === 'string' ? Buffer.from(c) : c as Uint8Array;
        r.reading = false;
        if (ownChunks && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) {
          send({ t: 'chunk', id, data: b.buffer, end: false }, [b.buffer]); // the stream's own fresh buffer: move it
          return;
        }
        const ab = new ArrayBuffer(b.length);
        new Uint8Array(ab).set(b);
        send({ t: 'chunk', id, data: ab, end: false }, [ab]);
        return;
      }
      if (stream.readableEnded) { r.reading = false; send({ t: 'chunk', id, data: new ArrayBuffer(0), end: true }); return; }
      if (stream.errored || stream.destroyed) { r.reading = false; send({ t: 'fail', id, message: String(stream.errored ?? 'stream closed early') }); return; }
      const again = (): void => {
        for (const ev of ['readable', 'end', 'error', 'close']) stream.off(ev, again);
        attempt();
      };
      for (const ev of ['readable', 'end', 'error', 'close']) stream.on(ev, again);
    };
    attempt();
  };

  /** Hands the worker the stream's descriptor once it is open (or the failure to open it). */
  const fromFile = (id: number, r: Running, stream: OpenFile): void => {
    const send = (m: ToWorker): void => { if (running.get(id) === r) r.worker.worker.postMessage(m); };
    const go = (): void => {
      stream.off('ready', go);
      stream.off('error', failed);
      const fd = stream.fd;
      if (typeof fd !== 'number') { send({ t: 'fail', id, message: 'file closed before it was read' }); return; }
      const end = stream.end;
      send({ t: 'file', id, fd, start: stream.start ?? 0, end: typeof end === 'number' ? end : Infinity });
    };
    const failed = (e: Error): void => {
      stream.off('ready', go);
      send({ t: 'fail', id, message: String(e) });
    };
    if (!stream.pending && typeof stream.fd === 'number') go();
    else if (stream.errored || stream.destroyed) send({ t: 'fail', id, message: String(stream.errored ?? 'file closed before it was read') });
    else { stream.once('ready', go); stream.once('error', failed); }
  };

  const slots: Slot[] = [];
  const ready: Promise<void>[] = [];
  const url = workerUrl();
  const sources = url.pathname.endsWith('.ts') ? strippedGraph(url) : undefined;
  for (let i = 0; i < n; i++) {
    const worker = startWorker(url, sources, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, alive: true, jobs: 0 };
    slots.push(slot);
    ready.push(new Promise<void>((resolve) => {
      const gone = (why: string): void => {
        if (!slot.alive) return;
        slot.alive = false;
        resolve();
        onError(`tftp worker stopped: ${why}`);
        for (const [id, r] of running) if (r.worker === slot) end(id, r, 'TFTP_IO', `worker stopped: ${why}`);
      };
      worker.on('error', (e) => gone(e.message));
      worker.on('exit', (code) => gone(`exit ${code}`));
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'ready') { resolve(); return; }
        if (m.t === 'stats') {
          for (const [k, v] of Object.entries(m.delta) as [keyof typeof m.delta, number][]) stats[k] += v;
          return;
        }
        const r = running.get(m.id);
        if (!r) return;
        if (m.t === 'more') feed(m.id, r);
        else if (m.t === 'finish') {
          if (!r.finished) { r.finished = true; r.job.finish(m.result, m.message, m.bytes); }
        } else end(m.id, r, 'TFTP_IO', 'closed before finishing');
      });
    }));
  }
  await Promise.race([Promise.all(ready), new Promise((r) => setTimeout(r, 15_000).unref())]);

  return {
    start(job) {
      let best: Slot | undefined;
      for (const s of slots) if (s.alive && (!best || s.jobs < best.jobs)) best = s;
      if (!best) return undefined;
      const id = nextId++;
      const r: Running = { job, worker: best, finished: false, reading: false };
      running.set(id, r);
      best.jobs++;
      job.stream.on('error', () => { /* reported to the worker by feed() or fromFile() */ });
      const fileStream = job.stream instanceof ReadStream ? job.stream : undefined;
      best.worker.postMessage({ t: 'start', id, peer: job.peer, bindAddress: job.bindAddress, spec: job.spec, fromFile: fileStream !== undefined } satisfies ToWorker);
      if (fileStream) fromFile(id, r, fileStream as OpenFile);
      return { shutdown: () => { if (running.get(id) === r) best.worker.postMessage({ t: 'shutdown', id } satisfies ToWorker); } };
    },
    async close() {
      // Workers first: a worker may be reading a descriptor that end() closes.
      for (const s of slots) s.alive = false;
      await Promise.all(slots.map((s) => s.worker.terminate()));
      for (const [id, r] of running) end(id, r, 'TFTP_SHUTDOWN', 'server shutting down');
    },
  };
}
