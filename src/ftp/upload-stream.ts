/**
 * The Writable ftp-srv pipes a STOR/APPE data connection into. Bytes go to the tree's Upload; the upload
 * is committed only when the data connection ended cleanly, the byte count matches an ALLO announcement,
 * and the control connection is still there a moment later (a client killed mid-transfer closes both, and
 * in stream mode its data connection's end is otherwise indistinguishable from a finished upload).
 * Anything else aborts it, and the previous version of the file stays.
 */
import { Writable } from 'node:stream';
import type { Upload } from '../tree/types.ts';
import { FtpReplyError, treeWriteError } from './errors.ts';

export interface UploadStreamOptions {
  /** Bytes announced by ALLO, if any. */
  readonly declaredSize: number | undefined;
  /** Is the control connection still open? */
  readonly controlAlive: () => boolean;
  /** Resolves when the control connection closes (or never). */
  readonly controlClosed: Promise<void>;
  /** How long to wait for a vanished client's control connection to close, ms. */
  readonly graceMs: number;
  /** Every byte accepted so far (for the transfer event). */
  readonly onBytes: (total: number) => void;
}

export class UploadStream extends Writable {
  readonly #upload: Upload;
  readonly #opts: UploadStreamOptions;
  #bytes = 0;
  #settled = false;
  /** The committed size, once commit succeeded. */
  committed: number | undefined;

  constructor(upload: Upload, opts: UploadStreamOptions) {
    super({ highWaterMark: 256 * 1024 });
    this.#upload = upload;
    this.#opts = opts;
  }

  get bytes(): number {
    return this.#bytes;
  }

  override _write(
    chunk: Buffer,
    _enc: BufferEncoding,
    cb: (error?: Error | null) => void,
  ): void {
    this.#bytes += chunk.length;
    this.#opts.onBytes(this.#bytes);
    const declared = this.#opts.declaredSize;
    if (declared !== undefined && this.#bytes > declared) {
      cb(
        new FtpReplyError(
          'TREE_TOO_LARGE',
          552,
          `more than the ${declared} bytes announced by ALLO`,
        ),
      );
      return;
    }
    this.#upload.write(chunk).then(
      (r) => cb(r.ok ? null : treeWriteError(r.error)),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  }

  override _final(cb: (error?: Error | null) => void): void {
    void this.#finish().then(
      () => cb(),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  }

  async #finish(): Promise<void> {
    const declared = this.#opts.declaredSize;
    if (declared !== undefined && this.#bytes !== declared) {
      throw new FtpReplyError(
        'FTP_SHORT_UPLOAD',
        426,
        `received ${this.#bytes} of the ${declared} bytes announced by ALLO`,
      );
    }
    if (this.#opts.graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#opts.controlClosed,
        new Promise<void>((r) => {
          timer = setTimeout(r, this.#opts.graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    if (!this.#opts.controlAlive())
      throw new FtpReplyError(
        'FTP_CLIENT_GONE',
        426,
        'control connection closed before the upload was confirmed',
      );
    if (this.#settled)
      throw new FtpReplyError('FTP_DISCONNECTED', 426, 'upload aborted');
    this.#settled = true;
    const r = await this.#upload.commit();
    if (!r.ok) throw treeWriteError(r.error);
    this.committed = r.value.bytes;
  }

  override _destroy(
    error: Error | null,
    cb: (error?: Error | null) => void,
  ): void {
    if (this.#settled) {
      cb(error);
      return;
    }
    this.#settled = true;
    this.#upload.abort().then(
      () => cb(error),
      () => cb(error),
    );
  }
}
