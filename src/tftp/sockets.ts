/** Binding a UDP socket as a promise (the service's port, an in-thread transfer's TID). */
import type { Socket } from 'node:dgram';

export function bindSocket(
  socket: Socket,
  port: number,
  address: string | undefined,
  exclusive = true,
): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address, exclusive }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
