/**
 * TFTP packet codec (RFC 1350, option extension RFC 2347). Pure: decode never throws and returns a typed
 * error for runts and garbage; encode is deterministic (options in the order given).
 */
import { err, ok, type Result } from '../../shared/result.ts';

export const OP_RRQ = 1;
export const OP_WRQ = 2;
export const OP_DATA = 3;
export const OP_ACK = 4;
export const OP_ERROR = 5;
export const OP_OACK = 6;

/** RFC 1350 §5 error codes, plus 8 (RFC 2347 option negotiation refused). */
export const ERR_UNDEFINED = 0;
export const ERR_NOT_FOUND = 1;
export const ERR_ACCESS = 2;
export const ERR_DISK_FULL = 3;
export const ERR_ILLEGAL_OP = 4;
export const ERR_UNKNOWN_TID = 5;
export const ERR_EXISTS = 6;
export const ERR_NO_USER = 7;
export const ERR_OPTIONS = 8;

/** An option as sent: name in the sender's case, value as text. Order is kept. */
export interface TftpOption {
  readonly name: string;
  readonly value: string;
}

export type TftpPacket =
  | {
      readonly op: 'rrq' | 'wrq';
      readonly filename: string;
      readonly mode: string;
      readonly options: readonly TftpOption[];
    }
  | { readonly op: 'data'; readonly block: number; readonly data: Uint8Array }
  | { readonly op: 'ack'; readonly block: number }
  | { readonly op: 'error'; readonly code: number; readonly message: string }
  | { readonly op: 'oack'; readonly options: readonly TftpOption[] };

export type DecodeErrorCode =
  | 'TFTP_RUNT'
  | 'TFTP_BAD_OPCODE'
  | 'TFTP_MALFORMED';
export interface DecodeError {
  readonly code: DecodeErrorCode;
  readonly message: string;
}

const bad = (
  code: DecodeErrorCode,
  message: string,
): { ok: false; error: DecodeError } => err({ code, message });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text fields are UTF-8 when valid, else Latin-1 (total and lossless: no byte sequence is refused here). */
function text(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
  }
}

/** Splits b[from..] into NUL-terminated strings; undefined if the last one lacks its NUL. */
function strings(b: Uint8Array, from: number): string[] | undefined {
  const out: string[] = [];
  let start = from;
  for (let i = from; i < b.length; i++) {
    if (b[i] === 0) {
      out.push(text(b.subarray(start, i)));
      start = i + 1;
    }
  }
  return start === b.length ? out : undefined;
}

function pairs(list: string[], from: number): TftpOption[] | undefined {
  if ((list.length - from) % 2 !== 0) return undefined;
  const out: TftpOption[] = [];
  for (let i = from; i < list.length; i += 2)
    out.push({ name: list[i]!, value: list[i + 1]! });
  return out;
}

export function decode(b: Uint8Array): Result<TftpPacket, DecodeError> {
  if (b.length < 2) return bad('TFTP_RUNT', `datagram of ${b.length} byte(s)`);
  const op = (b[0]! << 8) | b[1]!;
  switch (op) {
    case OP_RRQ:
    case OP_WRQ: {
      const list = strings(b, 2);
      if (!list || list.length < 2)
        return bad(
          'TFTP_MALFORMED',
          'request without NUL-terminated filename and mode',
        );
      const options = pairs(list, 2);
      if (!options) return bad('TFTP_MALFORMED', 'option without a value');
      if (list[0]!.length === 0) return bad('TFTP_MALFORMED', 'empty filename');
      return ok({
        op: op === OP_RRQ ? 'rrq' : 'wrq',
        filename: list[0]!,
        mode: list[1]!,
        options,
      });
    }
    case OP_DATA:
      if (b.length < 4) return bad('TFTP_RUNT', 'DATA shorter than 4 bytes');
      return ok({
        op: 'data',
        block: (b[2]! << 8) | b[3]!,
        data: b.subarray(4),
      });
    case OP_ACK:
      if (b.length < 4) return bad('TFTP_RUNT', 'ACK shorter than 4 bytes');
      if (b.length > 4) return bad('TFTP_MALFORMED', 'ACK with trailing bytes');
      return ok({ op: 'ack', block: (b[2]! << 8) | b[3]! });
    case OP_ERROR: {
      if (b.length < 4) return bad('TFTP_RUNT', 'ERROR shorter than 4 bytes');
      const code = (b[2]! << 8) | b[3]!;
      // Some stacks omit the final NUL: the message then runs to the end of the datagram.
      const nul = b.indexOf(0, 4);
      if (nul !== -1 && nul !== b.length - 1)
        return bad('TFTP_MALFORMED', 'ERROR with bytes after its message');
      return ok({
        op: 'error',
        code,
        message: text(b.subarray(4, nul === -1 ? b.length : nul)),
      });
    }
    case OP_OACK: {
      const list = strings(b, 2);
      const options = list && pairs(list, 0);
      if (!options)
        return bad('TFTP_MALFORMED', 'OACK options not NUL-terminated pairs');
      return ok({ op: 'oack', options });
    }
    default:
      return bad('TFTP_BAD_OPCODE', `opcode ${op}`);
  }
}

function header(op: number, n: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  buf[0] = 0;
  buf[1] = op;
  buf.writeUInt16BE(n & 0xffff, 2);
  return buf;
}

function strz(parts: string[]): Buffer {
  return Buffer.concat(
    parts.map((p) => Buffer.concat([Buffer.from(p, 'utf8'), Buffer.of(0)])),
  );
}

export function encode(p: TftpPacket): Buffer {
  switch (p.op) {
    case 'rrq':
    case 'wrq':
      return Buffer.concat([
        Buffer.of(0, p.op === 'rrq' ? OP_RRQ : OP_WRQ),
        strz([
          p.filename,
          p.mode,
          ...p.options.flatMap((o) => [o.name, o.value]),
        ]),
      ]);
    case 'data': {
      const buf = header(OP_DATA, p.block, 4 + p.data.length);
      buf.set(p.data, 4);
      return buf;
    }
    case 'ack':
      return header(OP_ACK, p.block, 4);
    case 'error':
      return Buffer.concat([
        header(OP_ERROR, p.code, 4),
        strz([p.message.replaceAll('\0', ' ')]),
      ]);
    case 'oack':
      return Buffer.concat([
        Buffer.of(0, OP_OACK),
        strz(p.options.flatMap((o) => [o.name, o.value])),
      ]);
  }
}

/** Fast path for the hot loop: one DATA datagram, header and payload in a single buffer. */
export function encodeData(block: number, data: Uint8Array): Buffer {
  const buf = header(OP_DATA, block, 4 + data.length);
  buf.set(data, 4);
  return buf;
}

export const encodeAck = (block: number): Buffer => header(OP_ACK, block, 4);
export const encodeError = (code: number, message: string): Buffer =>
  encode({ op: 'error', code, message });

/** One line for logs: never the payload. */
export function format(p: TftpPacket): string {
  switch (p.op) {
    case 'rrq':
    case 'wrq':
      return `${p.op.toUpperCase()} ${JSON.stringify(p.filename)} ${p.mode}${p.options.map((o) => ` ${o.name}=${o.value}`).join('')}`;
    case 'data':
      return `DATA #${p.block} ${p.data.length}B`;
    case 'ack':
      return `ACK #${p.block}`;
    case 'error':
      return `ERROR ${p.code} ${JSON.stringify(p.message)}`;
    case 'oack':
      return `OACK${p.options.map((o) => ` ${o.name}=${o.value}`).join('')}`;
  }
}
