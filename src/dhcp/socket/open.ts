/**
 * The DHCP socket: UDP 0.0.0.0:67 with SO_BROADCAST, bound to the configured interface with SO_BINDTODEVICE
 * before bind(), so datagrams arriving on any other interface never reach us and our broadcasts leave only
 * through it. Fails closed: without the addon the server does not start (a rogue DHCP server on a
 * corporate LAN is the worst thing this product could do).
 */
import { createSocket, type Socket } from 'node:dgram';
import { closeSync } from 'node:fs';
import { ApplianceError } from '../../shared/errors.ts';
import { loadBindDevice } from './native.ts';

export interface DeviceSocket {
  readonly socket: Socket;
  /** The interface the kernel reports the socket bound to (read back with getsockopt). */
  readonly device: string;
}

export async function openDeviceSocket(
  iface: string,
  port: number,
  address = '0.0.0.0',
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
  let device: string;
  try {
    device = addon.value.boundDevice(fd);
  } catch (e) {
    closeSync(fd);
    throw new ApplianceError('DHCP_BIND_DEVICE', (e as Error).message, {
      iface,
    });
  }
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ fd }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already owned by the socket */
    }
    throw new ApplianceError(
      'DHCP_BIND_DEVICE',
      `cannot take over the bound socket: ${(e as Error).message}`,
      { iface },
    );
  }
  socket.setBroadcast(true);
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024);
    socket.setSendBufferSize(4 * 1024 * 1024);
  } catch {
    /* kernel caps apply */
  }
  return { socket, device };
}
