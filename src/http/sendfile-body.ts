/**
 * A download's body by sendfile (shared/sendfile.ts), for plain HTTP and a file on disk. The headers go out
 * first through Node (flushHeaders); once Node's write queue is empty the kernel sends the bytes on the same
 * connection, and res.end() finishes the response (keep-alive and pipelining stay Node's). A client that goes
 * away fails the send or closes the response; either ends the download, recorded HTTP_CLIENT_ABORTED.
 */
import type { ServerResponse } from 'node:http';
import type { Sendfile } from '../shared/sendfile.ts';

export interface BodyOutcome {
  /** unsupported: nothing was sent and the file cannot be sent so; the caller streams the body. */
  readonly result: 'ok' | 'HTTP_CLIENT_ABORTED' | 'TREE_IO' | 'unsupported';
  readonly sent: number;
}

const RESULT = {
  ok: 'ok',
  gone: 'HTTP_CLIENT_ABORTED',
  file: 'TREE_IO',
  unsupported: 'unsupported',
} as const;

/** Sends `length` bytes of `fd` from `offset` as the body of `res` (its headers set); never rejects. */
export function sendfileBody(
  sendfile: Sendfile,
  res: ServerResponse,
  fd: number,
  offset: number,
  length: number,
): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    // Closed before the send began (waiting for 'drain'). Once it runs, the socket's close ends it as 'gone'.
    let closed = false;
    let started = false;
    res.once('close', () => {
      closed = true;
      if (!started) resolve({ result: 'HTTP_CLIENT_ABORTED', sent: 0 });
    });
    const go = (): void => {
      const socket = res.socket;
      if (closed || !socket) {
        resolve({ result: 'HTTP_CLIENT_ABORTED', sent: 0 });
        return;
      }
      started = true;
      void sendfile.send(socket, fd, offset, length).done.then((o) => {
        if (o.result === 'ok') res.end();
        else if (o.result !== 'unsupported') res.destroy();
        resolve({ result: RESULT[o.result], sent: o.sent });
      });
    };
    res.flushHeaders();
    const socket = res.socket;
    if (socket && socket.writableLength > 0) socket.once('drain', go);
    else go();
  });
}
