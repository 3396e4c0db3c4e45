/**
 * The batched socket on loopback (a high port of 127.0.0.1 bound to lo; root, as SO_BINDTODEVICE needs):
 * datagrams sent in one turn leave in batches of at most 64 and arrive whole and in order, a datagram
 * longer than a slot is cut to it, a refused send is reported by errno name, and a closed socket reads
 * and sends nothing more.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../../../test/lib/netns.ts';
import { batchSocket, type DhcpSocket, SLOT } from './batch.ts';
import { loadBindDevice } from './native.ts';

const addon = loadBindDevice();
const skip =
  process.getuid?.() !== 0
    ? 'needs root (SO_BINDTODEVICE)'
    : addon.ok
      ? false
      : addon.error;
const LOOPBACK = 0x7f000001;

/** A socket on lo at a free high port, and what it has received and been refused. */
function open(): {
  socket: DhcpSocket;
  port: number;
  got: Uint8Array[];
  refused: string[];
} {
  if (!addon.ok) throw new Error(addon.error);
  for (let port = 40_000 + (process.pid % 10_000); ; port++) {
    let fd: number;
    try {
      fd = addon.value.openUdpOnDevice('lo', port, '127.0.0.1');
    } catch {
      continue; // in use
    }
    const got: Uint8Array[] = [];
    const refused: string[] = [];
    const socket = batchSocket(addon.value, fd, {
      message: (b) => got.push(Uint8Array.from(b)),
      sendError: (code) => refused.push(code),
      error: (code) => refused.push(`socket ${code}`),
    });
    return { socket, port, got, refused };
  }
}

test('a turn of sends leaves in batches and arrives whole and in order; an overlong datagram is cut to a slot', {
  skip,
}, async () => {
  const s = open();
  try {
    for (let i = 0; i < 150; i++)
      s.socket.send(Uint8Array.of(i, i >> 8, 0xaa), LOOPBACK, s.port);
    s.socket.send(new Uint8Array(SLOT + 100).fill(7), LOOPBACK, s.port);
    await waitFor(() => s.got.length === 151, 5000, '151 datagrams');
    for (let i = 0; i < 150; i++)
      assert.deepEqual(Array.from(s.got[i]!), [i & 255, i >> 8, 0xaa]);
    assert.equal(s.got[150]!.length, SLOT);
    assert.deepEqual(s.refused, []);
  } finally {
    s.socket.close();
  }
});

test('a send the kernel refuses is reported by name, the others still go; after close nothing is read or sent', {
  skip,
}, async () => {
  const s = open();
  s.socket.send(Uint8Array.of(1), LOOPBACK, 0); // port 0: EINVAL
  s.socket.send(Uint8Array.of(2), LOOPBACK, s.port);
  await waitFor(() => s.got.length === 1, 5000, 'the good datagram');
  assert.deepEqual(Array.from(s.got[0]!), [2]);
  assert.equal(s.refused.length, 1);
  assert.match(s.refused[0]!, /^E[A-Z]+$/);
  s.socket.close();
  s.socket.close();
  s.socket.send(Uint8Array.of(3), LOOPBACK, s.port);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.got.length, 1);
});
