/**
 * Option negotiation (RFC 2347): blksize (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440).
 * Names are case-insensitive; unknown or out-of-range options are dropped; an OACK is sent only when at
 * least one option was accepted. The OACK echoes the accepted options in the client's order, lower-case.
 */
import type { TftpOption } from './packet.ts';

export const DEFAULT_BLKSIZE = 512;
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
export const MAX_WINDOWSIZE = 64;

export interface Negotiated {
  readonly blksize: number;
  readonly windowsize: number;
  /** Retransmit interval asked for by the client (RFC 2349), in ms. */
  readonly timeoutMs: number | undefined;
  /** WRQ: the size the client announced. RRQ: whether the client asked for it (we answer the real size). */
  readonly tsize: number | undefined;
  readonly tsizeRequested: boolean;
  /** Accepted options to put in the OACK (tsize for an RRQ is filled in once the size is known). */
  readonly oack: readonly TftpOption[];
}

export interface NegotiationLimits {
  readonly maxBlksize: number;
  readonly maxWindowsize?: number;
}

const DIGITS = /^[0-9]{1,10}$/;

const int = (s: string): number | undefined =>
  DIGITS.test(s) ? Number(s) : undefined;

export function negotiate(
  kind: 'rrq' | 'wrq',
  options: readonly TftpOption[],
  limits: NegotiationLimits,
): Negotiated {
  const maxBlk = Math.max(
    MIN_BLKSIZE,
    Math.min(MAX_BLKSIZE, limits.maxBlksize),
  );
  const maxWin = Math.max(1, limits.maxWindowsize ?? MAX_WINDOWSIZE);
  let blksize = DEFAULT_BLKSIZE;
  let windowsize = 1;
  let timeoutMs: number | undefined;
  let tsize: number | undefined;
  let tsizeRequested = false;
  const oack: TftpOption[] = [];
  const seen = new Set<string>();
  for (const o of options) {
    const name = o.name.toLowerCase();
    if (seen.has(name)) continue; // the first occurrence wins
    seen.add(name);
    const v = int(o.value);
    if (v === undefined) continue;
    switch (name) {
      case 'blksize':
        if (v < MIN_BLKSIZE) break;
        blksize = Math.min(v, maxBlk);
        oack.push({ name, value: String(blksize) });
        break;
      case 'windowsize':
        if (v < 1 || v > 65535) break;
        windowsize = Math.min(v, maxWin);
        oack.push({ name, value: String(windowsize) });
        break;
      case 'timeout':
        if (v < 1 || v > 255) break;
        timeoutMs = v * 1000;
        oack.push({ name, value: String(v) });
        break;
      case 'tsize':
        tsizeRequested = true;
        if (kind === 'wrq') {
          tsize = v;
          oack.push({ name, value: String(v) });
        } else {
          oack.push({ name, value: '0' }); // replaced by the real size
        }
        break;
      default:
        break;
    }
  }
  return { blksize, windowsize, timeoutMs, tsize, tsizeRequested, oack };
}

/** The OACK for an RRQ once the file size is known (tsize dropped when the size is unknown). */
export function oackWithSize(
  n: Negotiated,
  size: number | undefined,
): TftpOption[] {
  const out: TftpOption[] = [];
  for (const o of n.oack) {
    if (o.name !== 'tsize') out.push(o);
    else if (size !== undefined)
      out.push({ name: 'tsize', value: String(size) });
  }
  return out;
}
