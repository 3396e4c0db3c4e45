/**
 * The DHCP socket: UDP 0.0.0.0:67 with SO_BROADCAST, bound to the configured interface with SO_BINDTODEVICE
 * before bind(), so datagrams arriving on any other interface never reach us and our broadcasts leave only
 * through it; read and written in batches (batch.ts). Fails closed: without the addon the server does not
 * start (a rogue DHCP server on a corporate LAN is the worst thing this product could do).
 */
import { closeSync } from 'node:fs';
import { ApplianceError } from '../../shared/errors.ts';
import { batchSocket, type DhcpSocket, type SocketEvents } from './batch.ts';
import { loadBindDevice } from './native.ts';

export type { DhcpSocket, SocketEvents };

export interface DeviceSocket {
  readonly socket: DhcpSocket;
  /** The interface the kernel reports the socket bound to (read back with getsockopt). */
  readonly device: string;
}

export async function openDeviceSocket(
  iface: string,
  port: number,
  address: string,
  events: SocketEvents,
): Promise<DeviceSocket> {
  const addon = loadBindDevice();
  if (!addon.ok)
    throw new ApplianceError('DHCP_BIND_DEVICE', addon.error, { iface });
  let fd: number;
  try {
    fd = addon.value.openUdpOnDevice(iface, port, address);
  } catch (e) {
    throw new ApplianceError(
      'DHCP_BIND_DEVICE',
      `cannot bind UDP ${address}:${port} on interface ${iface}: ${(e as Error).message}`,
      { iface, port },
    );
  }
  try {
    const device = addon.value.boundDevice(fd);
    return { socket: batchSocket(addon.value, fd, events), device };
  } catch (e) {
    closeSync(fd);
    throw new ApplianceError('DHCP_BIND_DEVICE', (e as Error).message, {
      iface,
    });
  }
}
