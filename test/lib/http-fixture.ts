/**
 * The HTTP integration tests' appliance: appliance.yaml (prefix "http", subnet 10.91.7; sites hq, branch with
 * an account, lab whose phones boot over FTP with their own credentials), tftpboot with a
 * deterministic dummy image, test certificates, a sentinel file outside the tree, and a raw-socket client that
 * runs inside a lab host (for what curl would normalise or refuse to send). The lab itself (namespaces, the
 * launcher, its events) is test/lib/service-lab.ts.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Lab } from './netns.ts';
import {
  type ApplianceDir,
  type Launched,
  labApplianceYaml,
  labSkip,
  launchService,
  makeApplianceDir as makeDir,
  REPO,
  type ServiceLab,
  startServiceLab,
} from './service-lab.ts';

export {
  type ApplianceDir,
  dummyBytes,
  IMAGE,
  type Launched,
  OTHER_MAC,
  PHONE_MAC,
  REPO,
  removeDir,
  sha256,
  traversalCorpus,
} from './service-lab.ts';

const execFileP = promisify(execFile);
export const SUBNET = '10.91.7';
export const SRV = `${SUBNET}.1`;
export const OVERRIDE_CAP = 1024 * 1024;

export interface Skip {
  readonly skip: string | false;
}

/** Decide whether the lab can run: outside CI a missing root or peer skips; in CI it fails. */
export async function labAvailability(cmds: string[]): Promise<Skip> {
  return { skip: await labSkip('HTTP', cmds) };
}

export function applianceYaml(opts: {
  https: boolean;
  clientCa: boolean;
  httpPort?: number;
  httpsPort?: number;
}): string {
  const httpsBlock = opts.https
    ? `    https: { enabled: true, port: ${opts.httpsPort ?? 443}, cert: ./tls/server.crt, key: ./tls/server.key${opts.clientCa ? ', clientCa: ./tls/client-ca.crt' : ''} }\n`
    : '    https: { enabled: false }\n';
  return labApplianceYaml({
    subnet: SUBNET,
    overrideCap: OVERRIDE_CAP,
    bootServer: '{ protocol: http }',
    services: `    http: { enabled: true, port: ${opts.httpPort ?? 80} }\n${httpsBlock}`,
    top: `parameters:\n  tcpIpApp.sntp.address: ${SRV}\n`,
    sites: `  branch:
    subnet: 10.91.77.0/24
    pool: 10.91.77.100-10.91.77.199
    bootServer: { protocol: http }
    accounts: [ { user: branch, password: s3cret-branch } ]
  lab:
    subnet: 10.91.78.0/24
    pool: 10.91.78.100-10.91.78.199
    bootServer: { protocol: ftp, path: lab, user: labphones, password: f7p-lab }
`,
  });
}

/** Build the appliance folder. imageSize: the big dummy image (60 MB for the byte-exact test). */
export async function makeApplianceDir(opts: {
  imageSize: number;
  https: boolean;
  clientCa: boolean;
}): Promise<ApplianceDir> {
  const app = await makeDir({
    tmpPrefix: 'http-it-',
    yaml: applianceYaml(opts),
    imageSize: opts.imageSize,
    seed: 0x5eed,
    // symlinks inside tftpboot leading out of it (the corpus names escape.cfg and evil-link): the tree must refuse them
    links: {
      'secret-link.txt': 'secret.txt',
      'escape.cfg': '/etc/passwd',
      'evil-link': '/etc',
    },
  });
  if (opts.https) {
    await execFileP('sh', [
      join(REPO, 'test/fixtures/tls/make-certs.sh'),
      join(app.dir, 'tls'),
      SRV,
    ]);
    await writeFile(
      join(app.dir, 'mtls.yaml'),
      applianceYaml({ https: true, clientCa: true }),
    );
  }
  return app;
}

export type Running = ServiceLab;

/** Start the HTTP service with a yaml inside the lab's srv host; resolves once it listens. */
export function launch(lab: Lab, yaml: string): Promise<Launched> {
  return launchService(lab, { protocol: 'http', yaml, subnet: SUBNET });
}

/** Start a lab with hosts srv, cli, other and the HTTP service in srv. */
export function startLab(app: ApplianceDir): Promise<Running> {
  return startServiceLab({
    protocol: 'http',
    prefix: 'http',
    subnet: SUBNET,
    yaml: app.yaml,
  });
}

/** A raw HTTP exchange run by node inside a lab host: bytes out exactly as given, response back. */
export interface RawRequest {
  readonly data: string; // base64 of the bytes to send
  /** Close (destroy) the socket right after sending, without waiting for a reply. */
  readonly abort?: boolean;
}
export interface RawResponse {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

const RAW_CLIENT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const out = [];
  for (const r of JSON.parse(input)) {
    out.push(await new Promise((resolve) => {
      const s = net.connect(Number(port), host);
      const chunks = [];
      const done = () => {
        const all = Buffer.concat(chunks).toString('latin1');
        const i = all.indexOf('\\r\\n\\r\\n');
        const head = i < 0 ? all : all.slice(0, i);
        const m = /^HTTP\\/1\\.[01] (\\d{3})/.exec(head);
        resolve({ status: m ? Number(m[1]) : 0, head, body: i < 0 ? '' : all.slice(i + 4, i + 4 + 65536) });
      };
      s.setTimeout(4000, () => s.destroy());
      s.on('data', (d) => chunks.push(d));
      s.on('close', done);
      s.on('error', () => {});
      s.write(Buffer.from(r.data, 'base64'), () => { if (r.abort) setTimeout(() => s.destroy(), 50); });
    }));
  }
  process.stdout.write(JSON.stringify(out));
});
`;

export async function rawExchange(
  lab: Lab,
  host: string,
  port: number,
  requests: RawRequest[],
): Promise<RawResponse[]> {
  const r = await lab.exec(
    host,
    [process.execPath, '-e', RAW_CLIENT, SRV, String(port)],
    { input: JSON.stringify(requests), timeoutMs: 60_000 },
  );
  return JSON.parse(r.stdout) as RawResponse[];
}

export const b64 = (s: string | Buffer): string =>
  Buffer.from(s).toString('base64');
