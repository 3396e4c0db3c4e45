/**
 * Option negotiation (RFC 2347): blksize (RFC 2348), timeout and tsize (RFC 2349), windowsize (RFC 7440).
 * Names are case-insensitive; unknown or out-of-range options are dropped; an OACK is sent only when at
 * least one option was accepted. The OACK echoes the accepted options in the client's order, lower-case.
 *
 * timeout: RFC 2349 lets a client ask for up to 255 s between retransmissions, and the OACK must carry the
 * value asked for, so the server's only way to refuse a value is to leave the option out. Above
 * OPTION_RANGES.timeout.max it is left out and the transfer keeps the server's own retransmit policy: a
 * stalled transfer then holds its slot for seconds, not 6 × 255 s (the 520-RRQ lock-out of issue 16).
 */
import type { TftpOption } from './packet.ts';

/** What each numeric option may be; blksize also its RFC 1350 default, windowsize our cap. */
export const OPTION_RANGES = {
  blksize: { min: 8, max: 65464, default: 512 },
  windowsize: { min: 1, max: 65535, cap: 64 },
  timeout: { min: 1, max: 10 },
} as const;

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
  const { blksize: blk, windowsize: win, timeout } = OPTION_RANGES;
  const maxBlk = Math.max(blk.min, Math.min(blk.max, limits.maxBlksize));
  const maxWin = Math.max(1, limits.maxWindowsize ?? win.cap);
  let blksize: number = blk.default;
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
        if (v < blk.min) break;
        blksize = Math.min(v, maxBlk);
        oack.push({ name, value: String(blksize) });
        break;
      case 'windowsize':
        if (v < win.min || v > win.max) break;
        windowsize = Math.min(v, maxWin);
        oack.push({ name, value: String(windowsize) });
        break;
      case 'timeout':
        if (v < timeout.min || v > timeout.max) break; // refused: see above
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
