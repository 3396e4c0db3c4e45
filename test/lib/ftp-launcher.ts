/**
 * FTP test helper, run inside a lab namespace with lab.spawn / lab.exec. Two modes:
 *
 *   node test/lib/ftp-launcher.ts serve CONFIG.yaml [--lease IP=MAC]... [--port N] [--bind ADDR] [--quiet]
 *     Starts the FTP service from an appliance.yaml. stdout: {"ready":true,"port":N} once listening, then one
 *     {"event":{…}} line per transfer (unless --quiet). Logs go to stderr. SIGTERM/SIGINT close it and exit.
 *
 *   node test/lib/ftp-launcher.ts control HOST PORT SCRIPT.json
 *     A raw control-channel client for what lftp/curl would never send: SCRIPT is
 *     {"steps":[{"hex":"…"}|{"text":"…"},{"delayMs":N}…],"waitMs":N}; each step is written as its own TCP
 *     segment (Nagle off, a pause between). stdout: {"replies":"…","closedByServer":bool}.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { loadConfigFile } from '../../src/config/load.ts';
import { createTree, staticTreeRef } from '../../src/tree/tree.ts';
import { startFtpServer } from '../../src/ftp/server.ts';
import { createEventBus } from '../../src/shared/events.ts';
import { createLogger } from '../../src/shared/log.ts';
import { parseMac, type Mac } from '../../src/shared/mac.ts';
import type { LeaseLookup } from '../../src/shared/service.ts';

function fail(message: string): never {
  process.stderr.write(`ftp-launcher: ${message}\n`);
  process.exit(2);
}

interface Step { hex?: string; text?: string; delayMs?: number }

async function control(host: string, port: number, scriptPath: string): Promise<void> {
  const script = JSON.parse(readFileSync(scriptPath, 'utf8')) as { steps: Step[]; waitMs?: number };
  const sock = connect({ host, port, noDelay: true });
  let replies = '';
  let closedByServer = false;
  sock.on('data', (d: Buffer) => { replies += d.toString('latin1'); });
  sock.on('error', () => { closedByServer = true; });
  sock.on('close', () => { closedByServer = true; });
  await new Promise<void>((r, j) => { sock.once('connect', r); sock.once('error', j); });
  await new Promise((r) => setTimeout(r, 100));
  for (const s of script.steps) {
    if (closedByServer) break;
    if (s.hex !== undefined) sock.write(Buffer.from(s.hex, 'hex'));
    if (s.text !== undefined) sock.write(s.text, 'latin1');
    await new Promise((r) => setTimeout(r, s.delayMs ?? 20));
  }
  await new Promise((r) => setTimeout(r, script.waitMs ?? 300));
  const wasClosed = closedByServer;
  sock.destroy();
  process.stdout.write(`${JSON.stringify({ replies, closedByServer: wasClosed })}\n`);
}

async function serve(args: string[]): Promise<void> {
  const configPath = args[0];
  if (configPath === undefined || configPath.startsWith('--')) fail('usage: ftp-launcher serve CONFIG.yaml [--lease IP=MAC]... [--port N] [--bind ADDR] [--quiet]');
  const leases = new Map<string, Mac>();
  let bindAddress: string | undefined;
  let port: number | undefined;
  let quiet = false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === '--lease') {
      const [ip, mac] = (args[++i] ?? '').split('=');
      const m = parseMac(mac ?? '');
      if (!ip || !m.ok) fail(`bad --lease ${args[i]}`);
      leases.set(ip, m.value);
    } else if (a === '--bind') bindAddress = args[++i];
    else if (a === '--port') port = Number(args[++i]);
    else if (a === '--quiet') quiet = true;
    else fail(`unknown argument ${a}`);
  }
  const loaded = await loadConfigFile(configPath);
  if (!loaded.ok) fail(loaded.error.map((i) => `${i.file}:${i.line}:${i.col} ${i.code} ${i.message}`).join('\n'));
  const model = loaded.value.model;
  const bus = createEventBus();
  if (!quiet) bus.subscribe((e) => { process.stdout.write(`${JSON.stringify({ event: e })}\n`); });
  const leaseLookup: LeaseLookup = { macForAddress: (ip) => leases.get(ip) };
  const service = await startFtpServer({
    model: { current: () => model },
    tree: staticTreeRef(createTree(model)),
    log: createLogger({ destination: 2, level: quiet ? 'warn' : 'info' }),
    events: bus,
    leases: leaseLookup,
    bindAddress,
    ...(port === undefined ? {} : { port }),
  });
  process.stdout.write(`${JSON.stringify({ ready: true, port: service.port })}\n`);
  const stop = (): void => { service.close().then(() => process.exit(0), () => process.exit(1)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') await serve(rest);
else if (mode === 'control') await control(rest[0] ?? '', Number(rest[1]), rest[2] ?? '');
else fail('usage: ftp-launcher serve CONFIG.yaml … | control HOST PORT SCRIPT.json');
