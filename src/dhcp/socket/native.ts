/** The bind-device addon (bind-device.c), built and loaded by the shared addon loader. */
import { join } from 'node:path';
import { loadAddon } from '../../shared/native-addon.ts';
import type { Result } from '../../shared/result.ts';

export interface BindDeviceAddon {
  openUdpOnDevice(ifname: string, port: number, address: string): number;
  boundDevice(fd: number): string;
}

/** Compile (if needed) and load the addon; an error says what is missing (compiler, headers). */
export function loadBindDevice(): Result<BindDeviceAddon, string> {
  return loadAddon<BindDeviceAddon>(join(import.meta.dirname, 'bind-device.c'));
}
