/** The DHCP socket addon (bind-device.c), built and loaded by the shared addon loader. */
import { join } from 'node:path';
import { loadAddon } from '../../shared/native-addon.ts';
import type { Result } from '../../shared/result.ts';

/** A batched socket of the addon (opaque). */
export type BatchHandle = { readonly __batch: unique symbol };

export interface BindDeviceAddon {
  openUdpOnDevice(ifname: string, port: number, address: string): number;
  boundDevice(fd: number): string;
  /** Watches fd on Node's loop; onEvent(n): n datagrams in recv (lengths in recvMeta), 0 writable, -errno. */
  openBatch(
    fd: number,
    recv: Uint8Array,
    recvMeta: Uint32Array,
    slot: number,
    send: Uint8Array,
    sendMeta: Uint32Array,
    onEvent: (n: number) => void,
  ): BatchHandle;
  /** Sends sendMeta's first `count` datagrams (offset, length, ip, port → result); returns how many were handled. */
  sendBatch(handle: BatchHandle, count: number): number;
  wantWritable(handle: BatchHandle, on: boolean): void;
  closeBatch(handle: BatchHandle): void;
}

/** Compile (if needed) and load the addon; an error says what is missing (compiler, headers). */
export function loadBindDevice(): Result<BindDeviceAddon, string> {
  return loadAddon<BindDeviceAddon>(join(import.meta.dirname, 'bind-device.c'));
}
