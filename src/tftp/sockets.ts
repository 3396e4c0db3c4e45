/**
 * Binding a transfer's sockets. A download's hot loop is one send per block, and Node does less work per
 * send on a connected UDP socket (no address to resolve and parse, the kernel's route cached), so worker
 * downloads connect their socket to the peer. A connected socket no longer hears other senders, which
 * RFC 1350 wants answered with ERROR 5; a second, unconnected socket on the same port (both with
 * SO_REUSEADDR; the kernel prefers the connected one for the peer's datagrams) hears those strangers.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Peer } from './transfer.ts';

export function bindSocket(socket: Socket, port: number, address: string | undefined, exclusive = true): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export interface TransferSockets {
  /** Connected to the peer: send without an address. */
  readonly socket: Socket;
  /** Same port, unconnected: only datagrams from other addresses/ports arrive here. */
  readonly stranger: Socket;
}

export async function bindConnected(peer: Peer, address: string | undefined): Promise<TransferSockets> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const stranger = createSocket({ type: 'udp4', reuseAddr: true });
  try {
    await bindSocket(socket, 0, address);
    await bindSocket(stranger, socket.address().port, address);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(peer.port, peer.address, () => { socket.off('error', reject); resolve(); });
    });
    return { socket, stranger };
  } catch (e) {
    for (const s of [socket, stranger]) { try { s.close(); } catch { /* not open */ } }
    throw e;
  }
}
