/**
 * The open descriptor behind a file stream that tree.open returned for a file on disk (an fs.ReadStream):
 * the native senders (the TFTP engine, HTTP's sendfile) read the file themselves and leave the stream
 * unread; destroying the stream closes the descriptor.
 */
import type { ReadStream } from 'node:fs';

/** fs.ReadStream's fields that @types/node leaves out (documented: fd once open; start/end as given). */
type OpenFile = ReadStream & {
  readonly fd?: number | null;
  readonly start?: number;
  readonly end?: number;
};

/** Waits for 'ready'; end is -1 for "to the end of the file". Rejects if the file could not be opened. */
export function openDescriptor(
  stream: ReadStream,
): Promise<{ fd: number; start: number; end: number }> {
  const s = stream as OpenFile;
  return new Promise((resolve, reject) => {
    const go = (): void => {
      s.off('error', reject);
      if (typeof s.fd !== 'number') {
        reject(new Error('file closed before it was read'));
        return;
      }
      resolve({
        fd: s.fd,
        start: s.start ?? 0,
        end: typeof s.end === 'number' && Number.isFinite(s.end) ? s.end : -1,
      });
    };
    if (!s.pending && typeof s.fd === 'number') go();
    else if (s.errored || s.destroyed)
      reject(s.errored ?? new Error('file closed before it was read'));
    else {
      s.once('ready', go);
      s.once('error', reject);
    }
  });
}
