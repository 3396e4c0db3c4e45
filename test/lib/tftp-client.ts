/**
 * A small TFTP download client (RFC 1350 + blksize/tsize/windowsize), for the benchmark and the integration
 * tests: many concurrent downloads from one process, with windowsize (which tftp-hpa and curl lack).
 * CLI (run inside a lab namespace):
 *   node test/lib/tftp-client.ts HOST PATH [--port N] [--blksize N] [--windowsize N] [--count N] [--out FILE]
 * runs COUNT concurrent downloads and prints {"ok":N,"failed":N,"wallMs":N,"bytes":N,"sha256":[...unique]}.
 */

import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { decode, encode, encodeAck } from '../../src/tftp/codec/packet.ts';

export interface DownloadOptions {
  readonly host: string;
  readonly port?: number;
  readonly path: string;
  readonly blksize?: number;
  readonly windowsize?: number;
  readonly timeoutMs?: number;
  /** Keep the bytes (else only hash them). */
  readonly keep?: boolean;
}

export type DownloadResult =
  | {
      readonly ok: true;
      readonly bytes: number;
      readonly sha256: string;
      readonly data: Buffer | undefined;
    }
  | { readonly ok: false; readonly code: number; readonly message: string };

export function download(o: DownloadOptions): Promise<DownloadResult> {
  const blksize = o.blksize ?? 512;
  const _windowsize = o.windowsize ?? 1;
  const timeoutMs = o.timeoutMs ?? 1000;
  const options = [
    ...(o.blksize ? [{ name: 'blksize', value: String(o.blksize) }] : []),
    ...(o.windowsize
      ? [{ name: 'windowsize', value: String(o.windowsize) }]
      : []),
  ];
  const sock = createSocket('udp4');
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  let tid: number | undefined;
  let expected = 1;
  let inWindow = 0;
  let bytes = 0;
  let effBlk = options.length ? 512 : blksize;
  let effWin = 1;
  let retries = 0;
  let nudged = false;
  let last: Buffer = encode({
    op: 'rrq',
    filename: o.path,
    mode: 'octet',
    options,
  });
  const port = o.port ?? 69;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout;
    let closing = false;
    let pending = 0;
    const close = (): void => {
      sock.close();
    };
    const sent = (): void => {
      if (--pending === 0 && closing) close();
    };
    const finish = (r: DownloadResult): void => {
      if (closing) return;
      closing = true;
      clearTimeout(timer);
      if (pending === 0) close(); // else once the last ACK has left: close() drops a queued send
      resolve(r);
    };
    const send = (b: Buffer): void => {
      last = b;
      pending++;
      sock.send(b, tid ?? port, o.host, sent);
      timer.refresh();
    };
    timer = setTimeout(function onTimeout() {
      if (++retries > 5)
        return finish({ ok: false, code: -1, message: 'timeout' });
      sock.send(last, tid ?? port, o.host);
      timer = setTimeout(onTimeout, timeoutMs);
    }, timeoutMs);
    sock.on('error', (e) =>
      finish({ ok: false, code: -2, message: e.message }),
    );
    sock.on('message', (msg, rinfo) => {
      if (tid === undefined) tid = rinfo.port;
      else if (rinfo.port !== tid) return;
      const p = decode(msg);
      if (!p.ok) return;
      const pk = p.value;
      if (pk.op === 'error')
        return finish({ ok: false, code: pk.code, message: pk.message });
      if (pk.op === 'oack') {
        if (expected !== 1) return;
        for (const opt of pk.options) {
          if (opt.name.toLowerCase() === 'blksize') effBlk = Number(opt.value);
          if (opt.name.toLowerCase() === 'windowsize')
            effWin = Number(opt.value);
        }
        retries = 0;
        send(encodeAck(0));
        return;
      }
      if (pk.op !== 'data') return;
      if (pk.block !== (expected & 0xffff)) {
        if (!nudged) {
          nudged = true;
          send(encodeAck((expected - 1) & 0xffff));
        }
        return;
      }
      nudged = false;
      retries = 0;
      expected++;
      inWindow++;
      bytes += pk.data.length;
      hash.update(pk.data);
      if (o.keep) parts.push(Buffer.from(pk.data));
      const done = pk.data.length < effBlk;
      if (done || inWindow >= effWin) {
        inWindow = 0;
        send(encodeAck(pk.block));
      } else timer.refresh();
      if (done)
        finish({
          ok: true,
          bytes,
          sha256: hash.digest('hex'),
          data: o.keep ? Buffer.concat(parts) : undefined,
        });
    });
    sock.bind(0, () => sock.send(last, port, o.host));
  });
}

async function cli(argv: string[]): Promise<void> {
  const [host, path, ...rest] = argv;
  if (!host || !path)
    throw new Error(
      'usage: tftp-client.ts HOST PATH [--port N] [--blksize N] [--windowsize N] [--count N] [--out FILE]',
    );
  const flag = (name: string): string | undefined => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const num = (name: string): number | undefined =>
    flag(name) === undefined ? undefined : Number(flag(name));
  const count = num('--count') ?? 1;
  const out = flag('--out');
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, () =>
      download({
        host,
        path,
        port: num('--port'),
        blksize: num('--blksize'),
        windowsize: num('--windowsize'),
        keep: out !== undefined,
      }),
    ),
  );
  const wallMs = Math.round(performance.now() - t0);
  const good = results.filter((r) => r.ok);
  if (out !== undefined && good[0]?.data) await writeFile(out, good[0].data);
  process.stdout.write(
    `${JSON.stringify({
      ok: good.length,
      failed: results.length - good.length,
      wallMs,
      bytes: good.reduce((n, r) => n + r.bytes, 0),
      sha256: [...new Set(good.map((r) => r.sha256))],
      errors: [
        ...new Set(
          results.flatMap((r) => (r.ok ? [] : [`${r.code} ${r.message}`])),
        ),
      ],
    })}\n`,
  );
}

if (import.meta.main) await cli(process.argv.slice(2));
