/**
 * A RETR's file as the Readable ftp-srv expects, whose bytes the kernel sends straight to the data connection
 * (shared/sendfile.ts): ftp-srv is handed no chunk, the stream ends once every byte is with the socket, and
 * ftp-srv replies 226 and closes the connection as after any download. When the file cannot be sent so
 * (nothing sent yet), its own ReadStream's chunks pass through instead. A data connection that fails ends
 * the stream with an error (FTP_DATA_ERROR), a file that fails or ends short with TREE_IO.
 */
import type { ReadStream } from 'node:fs';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { Sendfile, Sending } from '../shared/sendfile.ts';
import { openDescriptor } from '../tree/descriptor.ts';
import { treeReadError } from './errors.ts';

export class SendfileStream extends Readable {
  readonly #sendfile: Sendfile;
  readonly #src: ReadStream;
  readonly #socket: Socket;
  readonly #offset: number;
  readonly #length: number;
  #sending: Sending | undefined;
  #started = false;
  #passing = false;

  constructor(
    sendfile: Sendfile,
    src: ReadStream,
    socket: Socket,
    offset: number,
    length: number,
  ) {
    super();
    this.#sendfile = sendfile;
    this.#src = src;
    this.#socket = socket;
    this.#offset = offset;
    this.#length = length;
  }

  /** The file's path, as fs.ReadStream has it (ftp-srv reports it). */
  get path(): string | Buffer {
    return this.#src.path;
  }

  /** Bytes handed to the data connection so far (the transfer record of a cut download). */
  sent(): number {
    return this.#passing ? this.#src.bytesRead : (this.#sending?.sent() ?? 0);
  }

  override _read(): void {
    if (this.#passing) {
      this.#src.resume();
      return;
    }
    if (this.#started) return;
    this.#started = true;
    if (this.#length === 0) {
      this.push(null);
      return;
    }
    openDescriptor(this.#src).then(
      ({ fd }) => {
        if (this.destroyed) return;
        this.#sending = this.#sendfile.send(
          this.#socket,
          fd,
          this.#offset,
          this.#length,
        );
        void this.#sending.done.then((o) => {
          if (this.destroyed) return;
          if (o.result === 'ok') this.push(null);
          else if (o.result === 'unsupported') this.#passThrough();
          else if (o.result === 'gone')
            this.destroy(new Error('the data connection failed'));
          else
            this.destroy(
              treeReadError({
                code: 'TREE_IO',
                message: 'the file could not be read',
              }),
            );
        });
      },
      (e: unknown) => this.destroy(e as Error),
    );
  }

  override _destroy(
    error: Error | null,
    callback: (error?: Error | null) => void,
  ): void {
    this.#sending?.cancel();
    this.#src.destroy();
    callback(error);
  }

  /** The file's own chunks, for a file sendfile cannot send. */
  #passThrough(): void {
    this.#passing = true;
    this.#src.on('data', (c) => {
      if (!this.push(c)) this.#src.pause();
    });
    this.#src.once('end', () => this.push(null));
    this.#src.once('error', (e) => this.destroy(e));
  }
}
