/**
 * serveDownload over a loopback HTTP server, for src/http/download.test.ts and sendfile.test.ts: a fake tree
 * that opens files as tree.ts does (a ring when asked for one, else an fs.ReadStream, whose descriptor
 * sendfile takes), the records the downloads finish with, and one read budget.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import {
  createDownloadBudget,
  serveDownload,
} from '../../src/http/download.ts';
import type { TransferRecord } from '../../src/http/transfer-record.ts';
import { ok } from '../../src/shared/result.ts';
import { RecyclingFileStream } from '../../src/tree/recycling-stream.ts';
import type { FileInfo, FileTree, ReadOptions } from '../../src/tree/types.ts';

export function fakeTree(file: string, info: FileInfo): FileTree {
  return {
    stat: async () => ok(info),
    open: async (_p: string, o: ReadOptions = {}) =>
      ok({
        info,
        stream:
          o.ring === undefined
            ? createReadStream(file, {
                start: o.start ?? 0,
                end: o.end ?? info.size - 1,
              })
            : new RecyclingFileStream(file, {
                start: o.start ?? 0,
                end: o.end ?? info.size - 1,
                ring: o.ring,
                ...(o.budget ? { budget: o.budget } : {}),
              }),
      }),
  } as unknown as FileTree;
}

export const fileInfo = (
  size: number,
  mtime: Date,
  etag: string,
): FileInfo => ({
  path: 'image.ld',
  name: 'image.ld',
  type: 'file',
  size,
  mtime,
  etag,
  source: 'tftpboot',
  site: undefined,
});

export async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const stop = async (srv: http.Server): Promise<void> => {
  srv.closeAllConnections();
  await new Promise((r) => srv.close(r));
};

/** Servers of one read budget whose downloads' outcomes land in `results`. */
export function downloadFixture() {
  const budget = createDownloadBudget();
  const results: { result: string; bytes: number }[] = [];
  const record = (): TransferRecord => ({
    setPath: () => undefined,
    setMac: () => undefined,
    setRelease: () => undefined,
    finished: false,
    finish: (result, bytes) => {
      results.push({ result, bytes });
    },
  });
  /** A loopback server of `tree`'s image.ld; `timeoutMs`: its sockets' idle timeout (the service's is 120 s). */
  const serveTree = async (
    tree: FileTree,
    timeoutMs = 0,
  ): Promise<{ port: number; server: http.Server }> => {
    const server = http.createServer((req, res) => {
      void serveDownload(
        req,
        res,
        tree,
        'image.ld',
        record(),
        { mac: undefined },
        budget,
      );
    });
    server.timeout = timeoutMs;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { port: (server.address() as AddressInfo).port, server };
  };
  /** `bytes` written to dir/name and served as image.ld. */
  const serveFile = async (
    dir: string,
    name: string,
    bytes: Buffer,
    timeoutMs = 0,
  ) => {
    const file = join(dir, name);
    await writeFile(file, bytes);
    const st = await stat(file);
    return serveTree(
      fakeTree(
        file,
        fileInfo(bytes.length, st.mtime, `${st.size}-${st.mtimeMs}`),
      ),
      timeoutMs,
    );
  };
  return { budget, results, serveTree, serveFile };
}

/** GET /image.ld from 127.0.0.1:port (through `agent` when given): status, body and the connection used. */
export function getImage(
  port: number,
  headers: http.OutgoingHttpHeaders = {},
  agent?: http.Agent,
): Promise<{ status: number; body: Buffer; socket: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(
        {
          port,
          host: '127.0.0.1',
          path: '/image.ld',
          headers,
          ...(agent ? { agent } : {}),
        },
        (res) => {
          const got: Buffer[] = [];
          res.on('data', (c: Buffer) => got.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              body: Buffer.concat(got),
              socket: res.socket,
            }),
          );
        },
      )
      .on('error', reject);
  });
}

/** `size` bytes of a pattern that differs at every offset (mul, shift: another file's pattern). */
export function imageBytes(size: number, mul: number, shift: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * mul + (i >> shift)) & 0xff;
  return b;
}

/**
 * `data` served as image.ld for the whole test file (node:test before and after): the fixture, the folder and
 * port (`at`, set once `before` ran), and a GET of the image.
 */
export function imageServer(prefix: string, data: Buffer) {
  const fx = downloadFixture();
  const at = { dir: '', port: 0 };
  let server: http.Server | undefined;
  before(async () => {
    at.dir = await mkdtemp(join(tmpdir(), prefix));
    ({ port: at.port, server } = await fx.serveFile(at.dir, 'image.ld', data));
  });
  after(async () => {
    if (server) await stop(server);
    await rm(at.dir, { recursive: true, force: true });
  });
  const get = (headers: http.OutgoingHttpHeaders = {}, agent?: http.Agent) =>
    getImage(at.port, headers, agent);
  return { ...fx, at, get };
}
