/**
 * FTP test helper, run inside a lab namespace with lab.spawn / lab.exec. Two modes:
 *
 *   node test/lib/ftp-launcher.ts serve CONFIG.yaml [--lease IP=MAC]... [--port N] [--bind ADDR] [--quiet]
 *     Starts the FTP service from an appliance.yaml. stdout: {"ready":true,"port":N} once listening, then one
 *     {"event":{…}} line per transfer (unless --quiet). Logs go to stderr. SIGTERM/SIGINT close it and exit.
 *
 *   node test/lib/ftp-launcher.ts control HOST PORT SCRIPT.json
 *     A raw FTP client for what lftp/curl would never send (they normalise paths, refuse NUL …). SCRIPT is
 *     {"steps":[…],"waitMs":N}; a step is {"hex"|"text":…,"delayMs"} (raw bytes, each its own TCP segment),
 *     {"cmd":"SIZE x"} (one command, its reply collected), or {"retr"|"list"|"stor":PATH,"dataHex"} (PASV, the
 *     command, and its data). stdout: {"replies":"…","results":[{step,reply,data(base64)}],"closedByServer":bool}.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Mac } from '../../src/shared/mac.ts';
import type { LeaseLookup } from '../../src/shared/service.ts';

function fail(message: string): never {
  process.stderr.write(`ftp-launcher: ${message}\n`);
  process.exit(2);
}

interface Step { hex?: string; text?: string; delayMs?: number; cmd?: string; retr?: string; list?: string; stor?: string; dataHex?: string }
interface StepResult { step: string; reply: string; data?: string }

/** A tiny FTP client: raw segments, or commands whose replies (and passive data) are collected. */
async function control(host: string, port: number, scriptPath: string): Promise<void> {
  const script = JSON.parse(readFileSync(scriptPath, 'utf8')) as { steps: Step[]; waitMs?: number };
  const sock = connect({ host, port, noDelay: true });
  let replies = '';
  let pending = '';
  let closedByServer = false;
  let wake: (() => void) | undefined;
  sock.on('data', (d: Buffer) => { const t = d.toString('latin1'); replies += t; pending += t; wake?.(); });
  sock.on('error', () => { closedByServer = true; wake?.(); });
  sock.on('close', () => { closedByServer = true; wake?.(); });
  await new Promise<void>((r, j) => { sock.once('connect', r); sock.once('error', j); });
  /** The next complete reply (multi-line aware), or '' if the server closed or 5 s passed. */
  const nextReply = async (): Promise<string> => {
    const until = Date.now() + 5_000;
    for (;;) {
      const m = /^(\d{3})(?:-[\s\S]*?\r?\n\1 [^\n]*|[ ][^\n]*)\r?\n/.exec(pending);
      if (m) { pending = pending.slice(m[0].length); return m[0].trimEnd(); }
      if (closedByServer || Date.now() > until) return '';
      await new Promise<void>((r) => { wake = r; setTimeout(r, 100); });
    }
  };
  const send = (line: string): void => { sock.write(`${line}\r\n`, 'latin1'); };
  const passive = async (command: string, upload?: Buffer): Promise<StepResult> => {
    send('PASV');
    const pasv = await nextReply();
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv);
    if (!m) return { step: command, reply: pasv };
    const data = connect({ host: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`, port: Number(m[5]) * 256 + Number(m[6]) });
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((r) => { data.on('close', () => r()); });
    data.on('data', (d: Buffer) => chunks.push(d));
    data.on('error', () => {});
    await new Promise<void>((r) => { data.once('connect', () => r()); data.once('error', () => r()); });
    send(command);
    let reply = await nextReply();
    if (reply.startsWith('1')) {
      if (upload) data.end(upload); else await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
      reply += `\n${await nextReply()}`;
    }
    data.destroy();
    return { step: command, reply, data: Buffer.concat(chunks).toString('base64') };
  };
  await nextReply(); // greeting
  const results: StepResult[] = [];
  for (const s of script.steps) {
    if (closedByServer) break;
    if (s.hex !== undefined) sock.write(Buffer.from(s.hex, 'hex'));
    if (s.text !== undefined) sock.write(s.text, 'latin1');
    if (s.hex !== undefined || s.text !== undefined) { await new Promise((r) => setTimeout(r, s.delayMs ?? 20)); continue; }
    if (s.cmd !== undefined) { send(s.cmd); results.push({ step: s.cmd, reply: await nextReply() }); }
    if (s.retr !== undefined) results.push(await passive(`RETR ${s.retr}`));
    if (s.list !== undefined) results.push(await passive(`LIST ${s.list}`));
    if (s.stor !== undefined) results.push(await passive(`STOR ${s.stor}`, Buffer.from(s.dataHex ?? '', 'hex')));
  }
  await new Promise((r) => setTimeout(r, script.waitMs ?? 300));
  const wasClosed = closedByServer;
  sock.destroy();
  process.stdout.write(`${JSON.stringify({ replies, results, closedByServer: wasClosed })}\n`);
}

async function serve(args: string[]): Promise<void> {
  // imported here so the control client starts fast
  const { loadConfigFile } = await import('../../src/config/load.ts');
  const { createTree, staticTreeRef } = await import('../../src/tree/tree.ts');
  const { startFtpServer } = await import('../../src/ftp/server.ts');
  const { createEventBus } = await import('../../src/shared/events.ts');
  const { createLogger } = await import('../../src/shared/log.ts');
  const { parseMac } = await import('../../src/shared/mac.ts');
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
    log: createLogger({ destination: 2, level: process.env.FTP_LOG_LEVEL ?? (quiet ? 'warn' : 'info') }),
    events: bus,
    leases: leaseLookup,
    bindAddress,
    ...(port === undefined ? {} : { port }),
  });
  // ftp-srv must not have installed signal handlers of its own (main.ts owns them): reported for the tests.
  const signalListeners = ['SIGTERM', 'SIGINT', 'SIGQUIT'].reduce((n, sig) => n + process.listenerCount(sig), 0);
  process.stdout.write(`${JSON.stringify({ ready: true, port: service.port, signalListeners })}\n`);
  const stop = (): void => { service.close().then(() => process.exit(0), () => process.exit(1)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') await serve(rest);
else if (mode === 'control') await control(rest[0] ?? '', Number(rest[1]), rest[2] ?? '');
else fail('usage: ftp-launcher serve CONFIG.yaml … | control HOST PORT SCRIPT.json');
