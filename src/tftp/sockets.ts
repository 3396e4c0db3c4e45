/** Binding a UDP socket as a promise (the service's port, an in-thread transfer's TID), and its receive buffer. */
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

/**
 * Asks for RECEIVE_BUFFER_BYTES of receive buffer (Linux caps the request at net.core.rmem_max and reports
 * twice what it grants, its bookkeeping overhead included); returns what the socket has now.
 */
export function enlargeReceiveBuffer(socket: Socket, bytes: number): number {
  try {
    socket.setRecvBufferSize(bytes);
  } catch {
    /* refused: keep the default */
  }
  return socket.getRecvBufferSize();
}
