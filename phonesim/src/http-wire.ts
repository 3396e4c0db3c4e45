/**
 * One plain-HTTP/1.1 keep-alive connection of a simulated phone, without a Buffer per body chunk: the socket
 * reads into one static 256 KiB buffer shared by every connection of the process (`net.connect` onread; the
 * callback consumes it before the next read), the response is parsed here (status line, Content-Length,
 * chunked, or until close) and the body goes straight into the Collector's CRC-32. Why: node:http hands each
 * chunk over as fresh Buffers, and a storm's gigabytes of them kept V8's collector busy (issue 14).
 *
 * The request bytes are node:http's for the same call (requestHead; http-wire.test.ts compares them on the
 * wire): request line, the caller's headers in order, Host (port only when not 80), Connection: keep-alive,
 * then the body. Socket options as node:http's keep-alive agent sets them (no delay, TCP keep-alive 1 s).
 *
 * A body of known length of two buffers or more is read with SO_RCVLOWAT (rcvlowat.ts) at the buffer's size,
 * lowered to what is left near its end and back to 1 after it: the reader wakes once per buffer, not per
 * segment or two (a storm's images arrive a few segments at a time). The bytes on the wire stay the kernel's.
 */
import { connect, type Socket } from 'node:net';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';
import { parseHead, type ResponseHead } from './http-response.ts';
import { setRcvLowat } from './rcvlowat.ts';
import { Collector, type Fetched } from './transfer.ts';

const SHARED = Buffer.allocUnsafe(262144);
/** Bodies at least this long are read with a low-water mark of the shared buffer's size. */
const LOWAT_FROM = 2 * SHARED.length;
const MAX_HEAD = 16384;

export interface WireResponse {
  readonly status: number;
  readonly length: number | undefined;
  readonly body: Fetched;
}

/** node:http's request head for these headers (see the file comment). */
export function requestHead(
  method: string,
  path: string,
  headers: readonly (readonly [string, string])[],
  host: string,
  port: number,
): string {
  const h = host.includes(':') ? `[${host}]` : host;
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  return `${s}Host: ${port === 80 ? h : `${h}:${port}`}\r\nConnection: keep-alive\r\n\r\n`;
}

/** The response being read: its head so far, then the body by length, chunks or until close. */
interface InFlight {
  readonly head: boolean; // a HEAD request: no body whatever the headers say
  readonly col: Collector;
  readonly timeoutMs: number;
  readonly what: string;
  readonly resolve: (r: Result<WireResponse, SimError>) => void;
  timer: NodeJS.Timeout | undefined;
  /** The connection it was sent on: that socket's end concerns this response only. */
  socket: Socket | undefined;
  headBuf: Buffer | undefined;
  headLen: number;
  res: ResponseHead | undefined;
  /** Body bytes left of the length or of the current chunk. */
  left: number;
  /** chunked: 'size' line, 'data', 'crlf' after data, 'trailer' lines; plain: 'length' or 'close'. */
  mode: 'size' | 'data' | 'crlf' | 'trailer' | 'length' | 'close';
  line: string;
  /** The socket's SO_RCVLOWAT while this body is read; 1 (the kernel's default) when not set. */
  lowat: number;
}

export class HttpConnection {
  readonly #host: string;
  readonly #port: number;
  readonly #localAddress: string | undefined;
  #socket: Socket | undefined;
  #cur: InFlight | undefined;
  /** Reads the kernel has handed this connection (each one a wake-up of the simulator). */
  reads = 0;

  constructor(host: string, port: number, localAddress: string | undefined) {
    this.#host = host;
    this.#port = port;
    this.#localAddress = localAddress;
  }

  /** Send one request (head + body) and read its response; a connection the server closed is opened again. */
  request(
    head: string,
    body: Buffer | undefined,
    isHead: boolean,
    keep: boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Result<WireResponse, SimError>> {
    return new Promise((resolve) => {
      const f: InFlight = {
        head: isHead,
        col: new Collector(keep),
        timeoutMs,
        what,
        resolve,
        timer: undefined,
        socket: undefined,
        headBuf: undefined,
        headLen: 0,
        res: undefined,
        left: 0,
        mode: 'length',
        line: '',
        lowat: 1,
      };
      this.#cur = f;
      f.timer = setTimeout(() => this.#fail(f, 'timeout'), timeoutMs);
      const s = this.#socket ?? this.#open();
      f.socket = s;
      s.cork();
      s.write(head, 'latin1');
      if (body?.length) s.write(body);
      s.uncork();
    });
  }

  destroy(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }

  #open(): Socket {
    const s = connect({
      host: this.#host,
      port: this.#port,
      ...(this.#localAddress ? { localAddress: this.#localAddress } : {}),
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 1000,
      onread: {
        buffer: SHARED,
        callback: (n: number, buf: Uint8Array) => {
          this.reads += 1;
          this.#data(buf as Buffer, n);
          return true;
        },
      },
    });
    const gone = (why: string): void => {
      if (this.#socket === s) this.#socket = undefined;
      const f = this.#cur;
      if (!f || f.socket !== s) return;
      if (f.res && f.mode === 'close') this.#end(f);
      else this.#fail(f, why);
    };
    s.on('error', (e) => gone(e.message));
    s.on('end', () => {
      gone('socket hang up');
      s.end();
    });
    s.on('close', () => gone('socket hang up'));
    this.#socket = s;
    return s;
  }

  #fail(f: InFlight, why: string): void {
    if (this.#cur !== f) return;
    this.#cur = undefined;
    clearTimeout(f.timer);
    f.socket?.destroy();
    if (this.#socket === f.socket) this.#socket = undefined;
    f.resolve(
      err(
        simError(
          why === 'timeout' ? 'SIM_TIMEOUT' : 'SIM_IO',
          `${f.what}: ${why}`,
        ),
      ),
    );
  }

  #end(f: InFlight): void {
    if (this.#cur !== f) return;
    this.#cur = undefined;
    clearTimeout(f.timer);
    if (!f.res!.keepAlive) {
      f.socket?.destroy();
      if (this.#socket === f.socket) this.#socket = undefined;
    } else if (f.lowat > 1 && f.socket) setRcvLowat(f.socket, 1);
    f.resolve(
      ok({ status: f.res!.status, length: f.res!.length, body: f.col.done() }),
    );
  }

  /** Bytes [0, n) of the shared buffer arrived for this connection. */
  #data(buf: Buffer, n: number): void {
    const f = this.#cur;
    if (!f) return; // nothing asked: stray bytes after a response are dropped
    f.timer?.refresh();
    let i = 0;
    while (i < n && this.#cur === f) {
      if (!f.res) i = this.#readHead(f, buf, i, n);
      else i = this.#readBody(f, buf, i, n);
    }
  }

  /** Head bytes into the connection's head buffer until the blank line; returns the next unread index. */
  #readHead(f: InFlight, buf: Buffer, i: number, n: number): number {
    f.headBuf ??= Buffer.allocUnsafe(MAX_HEAD);
    const from = Math.max(0, f.headLen - 3);
    const take = Math.min(n - i, MAX_HEAD - f.headLen);
    buf.copy(f.headBuf, f.headLen, i, i + take);
    f.headLen += take;
    const end = f.headBuf.subarray(0, f.headLen).indexOf('\r\n\r\n', from);
    if (end < 0) {
      if (f.headLen >= MAX_HEAD) this.#fail(f, 'response head too large');
      return i + take;
    }
    const used = end + 4 - (f.headLen - take); // bytes of this chunk that were head
    const h = parseHead(f.headBuf.toString('latin1', 0, end));
    if (!h) {
      this.#fail(f, 'Parse Error: bad response head');
      return n;
    }
    f.headLen = 0;
    if (h.status >= 100 && h.status < 200) return i + used; // interim: the real head follows
    f.res = h;
    const none = f.head || h.status === 204 || h.status === 304;
    if (none || (!h.chunked && h.length === 0)) {
      this.#end(f);
      return n;
    }
    f.mode = h.chunked ? 'size' : h.length !== undefined ? 'length' : 'close';
    f.left = h.length ?? 0;
    if (f.mode === 'length' && f.left >= LOWAT_FROM)
      this.#lowat(f, SHARED.length);
    return i + used;
  }

  /** Wake this body's reader once `bytes` are queued (only the rest of the body near its end). */
  #lowat(f: InFlight, bytes: number): void {
    if (f.socket && setRcvLowat(f.socket, bytes)) f.lowat = bytes;
  }

  #readBody(f: InFlight, buf: Buffer, i: number, n: number): number {
    if (f.mode === 'length' || f.mode === 'close' || f.mode === 'data') {
      const take = f.mode === 'close' ? n - i : Math.min(n - i, f.left);
      f.col.add(buf.subarray(i, i + take));
      f.left -= take;
      if (f.left > 0 && f.left < f.lowat) this.#lowat(f, f.left);
      if (f.left === 0 && f.mode === 'length') this.#end(f);
      else if (f.left === 0 && f.mode === 'data') f.mode = 'crlf';
      return i + take;
    }
    // A line of the chunked framing: the chunk size, the CRLF after a chunk, or a trailer line.
    const nl = buf.indexOf(10, i);
    const stop = nl < 0 || nl >= n ? n : nl + 1;
    f.line += buf.toString('latin1', i, stop);
    if (stop === n && !f.line.endsWith('\n')) {
      if (f.line.length > 1024) this.#fail(f, 'Parse Error: chunk line');
      return n;
    }
    const line = f.line.trimEnd();
    f.line = '';
    if (f.mode === 'crlf') {
      f.mode = 'size';
      if (line !== '') this.#fail(f, 'Parse Error: chunk end');
    } else if (f.mode === 'size') {
      const size = Number.parseInt(line.split(';')[0]!, 16);
      if (!Number.isFinite(size) || size < 0)
        this.#fail(f, 'Parse Error: chunk size');
      else if (size === 0) f.mode = 'trailer';
      else {
        f.mode = 'data';
        f.left = size;
      }
    } else if (line === '') this.#end(f); // the blank line after the trailers
    return stop;
  }
}
