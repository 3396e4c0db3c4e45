/**
 * Syslog over TCP (RFC 6587): a pure splitter for both framings a stream may mix: octet counting
 * ("<len> <msg>", recognised by a leading digit 1-9) and non-transparent LF framing (a message per line,
 * CR LF accepted). Frames longer than maxFrame are skipped (counted), never buffered: the splitter holds at
 * most maxFrame + 9 bytes. A count that is not digits then a space is a framing error: the stream cannot be
 * resynchronised and the caller closes the connection.
 */
export interface FramerOutput {
  readonly frames: Buffer[];
  oversized: number;
  error: 'SYSLOG_FRAMING' | undefined;
}

export interface Framer {
  /** Feed a chunk; returns the complete frames it finished (views valid until the next push). */
  push(chunk: Buffer): FramerOutput;
  /** The stream ended: the unterminated last line, if any. */
  end(): Buffer | undefined;
  /** Bytes held waiting for the rest of a frame. */
  pending(): number;
}

const MAX_DIGITS = 8;
const isDigit = (b: number | undefined): boolean =>
  b !== undefined && b >= 0x30 && b <= 0x39;

export function createFramer(maxFrame: number): Framer {
  let held: Buffer = Buffer.alloc(0);
  let skipOctets = 0;
  let skipLine = false;
  let failed = false;
  return {
    push(chunk) {
      const out: FramerOutput = { frames: [], oversized: 0, error: undefined };
      if (failed) {
        out.error = 'SYSLOG_FRAMING';
        return out;
      }
      const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      let i = 0;
      while (i < data.length) {
        if (skipOctets > 0) {
          const n = Math.min(skipOctets, data.length - i);
          skipOctets -= n;
          i += n;
          continue;
        }
        if (skipLine) {
          const nl = data.indexOf(0x0a, i);
          if (nl < 0) {
            i = data.length;
            break;
          }
          skipLine = false;
          i = nl + 1;
          continue;
        }
        const c = data[i]!;
        if (c === 0x0a || c === 0x0d || c === 0x00) {
          i++;
          continue;
        } // separators between frames
        if (c >= 0x31 && c <= 0x39) {
          let j = i;
          while (j < data.length && j - i < MAX_DIGITS && isDigit(data[j])) j++;
          if (j === data.length && j - i < MAX_DIGITS) break; // the count continues in the next chunk
          if (data[j] !== 0x20) {
            failed = true;
            out.error = 'SYSLOG_FRAMING';
            held = Buffer.alloc(0);
            return out;
          }
          const n = Number(data.toString('latin1', i, j));
          if (n > maxFrame) {
            out.oversized++;
            skipOctets = n;
            i = j + 1;
            continue;
          }
          if (data.length - (j + 1) < n) break; // wait for the rest of the frame
          out.frames.push(data.subarray(j + 1, j + 1 + n));
          i = j + 1 + n;
          continue;
        }
        const nl = data.indexOf(0x0a, i);
        if (nl < 0) {
          if (data.length - i > maxFrame) {
            out.oversized++;
            skipLine = true;
            i = data.length;
          }
          break;
        }
        if (nl - i > maxFrame) {
          out.oversized++;
          i = nl + 1;
          continue;
        }
        out.frames.push(
          data.subarray(i, nl > i && data[nl - 1] === 0x0d ? nl - 1 : nl),
        );
        i = nl + 1;
      }
      held = i < data.length ? Buffer.from(data.subarray(i)) : Buffer.alloc(0);
      return out;
    },
    end() {
      const rest = held;
      held = Buffer.alloc(0);
      if (failed || skipLine || skipOctets > 0 || rest.length === 0)
        return undefined;
      // An unfinished octet-counted frame is incomplete, not a line.
      if (rest[0]! >= 0x31 && rest[0]! <= 0x39) return undefined;
      return rest;
    },
    pending: () => held.length,
  };
}
