/**
 * One GET of the HTTP benchmark's load generator without a Buffer per body chunk: the socket reads into one
 * static buffer shared by every connection of the process (net.connect onread, as phonesim's http-wire.ts
 * does; the callback has consumed it before the next read), and the body is only counted. Why: node:http
 * hands every chunk over as a fresh Buffer through a parser and a stream; that costs the client more CPU than
 * nginx spends serving, so its wall time measured the client (bench/results/http.md).
 *
 * The head must arrive whole within MAX_HEAD bytes; the response must carry Content-Length (both servers
 * send it). Connection: close, one request per connection, as the node:http client with keepAlive off.
 */
import { connect } from 'node:net';
import { parseHead } from '../../phonesim/src/http-response.ts';

const SHARED = Buffer.allocUnsafe(256 * 1024);
const MAX_HEAD = 16384;

export interface GetResult {
  readonly ok: boolean;
  readonly bytes: number;
}

export function wireGet(
  url: URL,
  size: number,
  timeoutMs: number,
): Promise<GetResult> {
  return new Promise((resolve) => {
    let head: Buffer | undefined = Buffer.allocUnsafe(MAX_HEAD);
    let headLen = 0;
    let status = 0;
    let length = -1;
    let bytes = 0;
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      s.destroy();
      resolve({ ok: ok && status === 200 && bytes === size, bytes });
    };
    const body = (n: number): void => {
      bytes += n;
      if (bytes >= length) finish(bytes === length);
    };
    const s = connect({
      host: url.hostname,
      port: Number(url.port || 80),
      noDelay: true,
      onread: {
        buffer: SHARED,
        callback: (n: number, buf: Uint8Array) => {
          if (!head) {
            body(n);
            return true;
          }
          const take = Math.min(n, MAX_HEAD - headLen);
          head.set(buf.subarray(0, take), headLen);
          headLen += take;
          const end = head.subarray(0, headLen).indexOf('\r\n\r\n');
          if (end < 0) {
            if (headLen >= MAX_HEAD) finish(false);
            return true;
          }
          const h = parseHead(head.toString('latin1', 0, end));
          head = undefined;
          if (!h || h.length === undefined) {
            finish(false);
            return true;
          }
          status = h.status;
          length = h.length;
          const rest = n - (end + 4 - (headLen - take));
          if (rest > 0 || length === 0) body(rest);
          return true;
        },
      },
    });
    s.setTimeout(timeoutMs, () => finish(false));
    s.on('error', () => finish(false));
    s.on('close', () => finish(false));
    s.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`,
      'latin1',
    );
  });
}
