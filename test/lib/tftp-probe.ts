/**
 * A raw TFTP client for probe scripts that test/tftp-robustness.test.ts runs with node inside the client
 * namespace: request builders that can also build what a proper client never sends, a UDP socket with a
 * queue of what arrived and a receive with a deadline, and a lock-step fetch. Packets are read with the
 * appliance's codec (src/tftp/codec/packet.ts) into plain shapes that print well as JSON. The server's
 * address comes from $SRV.
 *
 *   node -e "import('<repo>/test/lib/tftp-probe.ts').then(async ({ open, rrq, out }) => { … })"
 */
import { createSocket, type Socket } from 'node:dgram';
import { decode, encodeAck, encodeError } from '../../src/tftp/codec/packet.ts';

const SRV = process.env.SRV ?? '127.0.0.1';

const strz = (...s: string[]): Buffer =>
  Buffer.concat(
    s.map((x) => Buffer.concat([Buffer.from(x, 'latin1'), Buffer.of(0)])),
  );
/** RRQ / WRQ in octet mode with options as name, value, … (any strings: names are not checked). */
export const rrq = (file: string, ...opts: string[]): Buffer =>
  Buffer.concat([Buffer.of(0, 1), strz(file, 'octet', ...opts)]);
export const wrq = (file: string, ...opts: string[]): Buffer =>
  Buffer.concat([Buffer.of(0, 2), strz(file, 'octet', ...opts)]);
export const ack = (n: number): Buffer => encodeAck(n);
export const errp = (code: number, message: string): Buffer =>
  encodeError(code, message);

export type Parsed =
  | { op: 'data'; block: number; data: Buffer }
  | { op: 'ack'; block: number }
  | { op: 'error'; code: number; message: string }
  | { op: 'oack'; options: Record<string, string> }
  | { op: string };

/** A datagram as the probes compare it: OACK options as one object; anything undecodable as "op<N>". */
export function parse(b: Buffer): Parsed {
  const r = decode(b);
  if (!r.ok) return { op: `op${b.length >= 2 ? b.readUInt16BE(0) : -1}` };
  const p = r.value;
  switch (p.op) {
    case 'data':
      return { op: 'data', block: p.block, data: Buffer.from(p.data) };
    case 'ack':
      return { op: 'ack', block: p.block };
    case 'error':
      return { op: 'error', code: p.code, message: p.message };
    case 'oack':
      return {
        op: 'oack',
        options: Object.fromEntries(p.options.map((o) => [o.name, o.value])),
      };
    default:
      return { op: p.op };
  }
}

export interface Arrival {
  readonly p: Parsed & {
    block?: number;
    code?: number;
    message?: string;
    data?: Buffer;
  };
  readonly port: number;
  readonly at: number;
}

export interface ProbeSocket extends Socket {
  /** The next datagram, or undefined after ms. */
  recv(ms: number): Promise<Arrival | undefined>;
  /** Send to the server's port. */
  to(buf: Uint8Array, port: number): Promise<void>;
}

export async function open(): Promise<ProbeSocket> {
  const s = createSocket('udp4') as ProbeSocket;
  const queue: Arrival[] = [];
  const waiters: ((x: Arrival) => void)[] = [];
  s.on('message', (m, r) => {
    const x: Arrival = { p: parse(m), port: r.port, at: performance.now() };
    const w = waiters.shift();
    if (w) w(x);
    else queue.push(x);
  });
  await new Promise<void>((r) => s.bind(0, r));
  s.recv = (ms) =>
    queue.length > 0
      ? Promise.resolve(queue.shift())
      : new Promise((resolve) => {
          const w = (x: Arrival): void => {
            clearTimeout(t);
            resolve(x);
          };
          const t = setTimeout(() => {
            const i = waiters.indexOf(w);
            if (i >= 0) waiters.splice(i, 1);
            resolve(undefined);
          }, ms);
          waiters.push(w);
        });
  s.to = (buf, port) =>
    new Promise((resolve) => {
      s.send(buf, port, SRV, () => resolve());
    });
  return s;
}

/** Fetch a whole file lock-step from a first reply x; returns the bytes (at most 1 MB). */
export async function drain(
  s: ProbeSocket,
  first: Arrival | undefined,
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let x = first; x && x.p.op === 'data'; ) {
    const data = x.p.data!;
    parts.push(data);
    await s.to(ack(x.p.block!), x.port);
    if (data.length < 512 || parts.length > 2048) break;
    x = await s.recv(2000);
  }
  return Buffer.concat(parts);
}

export const out = (v: unknown): void => {
  process.stdout.write(JSON.stringify(v));
};
