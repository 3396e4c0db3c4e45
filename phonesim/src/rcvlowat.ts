/**
 * SO_RCVLOWAT for a connected node:net socket (rcvlowat.c): the reader is woken once `bytes` are queued, or at
 * the end of the stream. Without a C compiler, or on a socket without a descriptor, it does nothing: the
 * client then reads as before, only more often.
 */
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { loadAddon } from '../../src/shared/native-addon.ts';

interface Addon {
  set(fd: number, bytes: number): number;
}

let addon: Addon | null | undefined;

function load(): Addon | null {
  if (addon === undefined) {
    const a = loadAddon<Addon>(join(import.meta.dirname, 'rcvlowat.c'));
    addon = a.ok ? a.value : null;
  }
  return addon;
}

/** The socket's descriptor, once libuv has one (node:net keeps it on the handle; not public API). */
function fdOf(s: Socket): number | undefined {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** Set the socket's low-water mark; true when the kernel took it. */
export function setRcvLowat(s: Socket, bytes: number): boolean {
  const a = load();
  const fd = fdOf(s);
  return a !== null && fd !== undefined && a.set(fd, Math.max(1, bytes)) === 0;
}
