/** Binding a UDP socket as a promise; a socket that fails to bind is closed, so it holds nothing. */
import type { Socket } from 'node:dgram';

export async function bindUdp(
  socket: Socket,
  port: number,
  address: string | undefined,
  exclusive = true,
): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port, address, exclusive }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    try {
      socket.close();
    } catch {
      /* never bound */
    }
    throw e;
  }
}
