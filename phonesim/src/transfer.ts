/**
 * What every transfer client (TFTP, FTP, HTTP/HTTPS) offers the boot sequence: get and put whole files by
 * path relative to the boot server's folder. Failures are typed results, never throws.
 */
import { crc32 } from 'node:zlib';
import type { Result } from '../../src/shared/result.ts';
import type { SimError } from './errors.ts';

/**
 * The check value the simulator keeps of a file: its CRC-32 as 8 hex digits. An integrity check, not a defence:
 * it finds the corruption a faulty server or network makes, and zlib's carry-less multiply makes it much
 * cheaper than SHA-256 (bench/phonesim/results.md).
 */
export const checksum = (data: Uint8Array): string => hex32(crc32(data));
export const hex32 = (crc: number): string => crc.toString(16).padStart(8, '0');

/** A downloaded file: its size and CRC-32, and its bytes unless the caller asked to discard them (images). */
export interface Fetched {
  readonly bytes: number;
  readonly crc32: string;
  readonly data: Buffer;
}

/** Accumulates a download chunk by chunk: checksums everything, keeps the bytes only when asked. */
export class Collector {
  private crc = 0;
  private readonly chunks: Buffer[] = [];
  private readonly keep: boolean;
  bytes = 0;
  constructor(keep: boolean) {
    this.keep = keep;
  }
  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.crc = crc32(chunk, this.crc);
    if (this.keep) this.chunks.push(Buffer.from(chunk));
  }
  done(): Fetched {
    return {
      bytes: this.bytes,
      crc32: hex32(this.crc),
      data: this.keep ? Buffer.concat(this.chunks) : Buffer.alloc(0),
    };
  }
}

export type UserAgentType = 'Updater' | 'Application';

export interface FileClient {
  /** keep=false: checksum and count the bytes but do not hold them (firmware images). */
  get(
    path: string,
    ua: UserAgentType,
    keep?: boolean,
  ): Promise<Result<Fetched, SimError>>;
  put(
    path: string,
    data: Buffer,
    ua: UserAgentType,
  ): Promise<Result<void, SimError>>;
  /** HEAD (HTTP) / SIZE (FTP); other protocols answer undefined. */
  size?(
    path: string,
    ua: UserAgentType,
  ): Promise<Result<number | undefined, SimError>>;
  /** Retransmissions (TFTP) and reconnects made so far. */
  readonly retries: () => number;
  /** The same by kind (report.ts RETRY_KINDS); without it, all of them are reconnects. */
  readonly retriesBy?: () => Readonly<Record<string, number>>;
  close(): Promise<void>;
}

export interface ClientContext {
  /** Source address to bind (the phone's leased address when assigned to the interface). */
  readonly localAddress: string | undefined;
  /** User-Agent for a request of the given type. */
  readonly userAgent: (type: UserAgentType) => string;
  /** Per-request timeout (ms). */
  readonly timeoutMs: number;
}

/** Join the base folder and a relative path. */
export function joinPath(base: string, path: string): string {
  const p = path.replace(/^\/+/, '');
  return base === '' ? p : `${base}/${p}`;
}
