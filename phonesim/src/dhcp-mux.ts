/**
 * The one DHCP client socket all simulated phones of a process share (UDP 68 in their namespace).
 * Replies are demultiplexed to the waiting phone by xid + chaddr; malformed and unclaimed packets are
 * dropped and counted.
 */
import dgram from 'node:dgram';
import { type DhcpPacket, macOf } from '../../src/dhcp/codec/packet.ts';
import { decodePacket } from '../../src/dhcp/codec/packet-decode.ts';
import { encodePacket } from '../../src/dhcp/codec/packet-encode.ts';

export interface DhcpMux {
  send(p: DhcpPacket, to?: string): void;
  /** The next reply for (xid, mac) that `accept` takes, or undefined after timeoutMs. */
  wait(
    xid: number,
    mac: string,
    timeoutMs: number,
    accept: (p: DhcpPacket) => boolean,
  ): Promise<DhcpPacket | undefined>;
  readonly stats: () => {
    sent: number;
    received: number;
    malformed: number;
    unclaimed: number;
  };
  close(): Promise<void>;
}

export interface MuxOptions {
  readonly bindAddress?: string;
  readonly port?: number;
  /** Where requests go: the limited broadcast by default. */
  readonly server?: string;
  readonly serverPort?: number;
}

interface Waiter {
  accept: (p: DhcpPacket) => boolean;
  resolve: (p: DhcpPacket | undefined) => void;
}

export async function createDhcpMux(opts: MuxOptions = {}): Promise<DhcpMux> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const waiters = new Map<string, Set<Waiter>>();
  const counts = { sent: 0, received: 0, malformed: 0, unclaimed: 0 };
  const serverPort = opts.serverPort ?? 67;
  const server = opts.server ?? '255.255.255.255';
  sock.on('message', (msg) => {
    counts.received++;
    const d = decodePacket(msg);
    if (!d.ok || d.value.op !== 2) {
      counts.malformed++;
      return;
    }
    const set = waiters.get(`${d.value.xid}/${macOf(d.value)}`);
    if (set) {
      for (const w of set) {
        if (w.accept(d.value)) {
          set.delete(w);
          w.resolve(d.value);
          return;
        }
      }
    }
    counts.unclaimed++;
  });
  sock.on('error', () => {
    /* a send error shows up as a timeout of that phone */
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(
      { port: opts.port ?? 68, address: opts.bindAddress ?? '0.0.0.0' },
      () => {
        sock.off('error', reject);
        resolve();
      },
    );
  });
  sock.setBroadcast(true);
  sock.setRecvBufferSize(8 * 1024 * 1024);
  return {
    send(p, to) {
      counts.sent++;
      sock.send(encodePacket(p), serverPort, to ?? server);
    },
    wait(xid, mac, timeoutMs, accept) {
      const key = `${xid}/${mac}`;
      return new Promise((resolve) => {
        let set = waiters.get(key);
        if (!set) {
          set = new Set();
          waiters.set(key, set);
        }
        const s = set;
        const w: Waiter = {
          accept,
          resolve: (p) => {
            clearTimeout(t);
            if (s.size === 0) waiters.delete(key);
            resolve(p);
          },
        };
        const t = setTimeout(() => {
          s.delete(w);
          if (s.size === 0) waiters.delete(key);
          resolve(undefined);
        }, timeoutMs);
        s.add(w);
      });
    },
    stats: () => ({ ...counts }),
    close: () => new Promise((resolve) => sock.close(() => resolve())),
  };
}
