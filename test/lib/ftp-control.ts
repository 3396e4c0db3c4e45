/**
 * A raw FTP client for the FTP integration tests, run inside a lab host with lab.exec: it sends what lftp/curl
 * would never send (they normalise paths, refuse NUL …).
 *
 *   node test/lib/ftp-control.ts HOST PORT SCRIPT.json
 *
 * SCRIPT is {"steps":[…],"waitMs":N}; a step is {"hex"|"text":…,"delayMs"} (raw bytes, each its own TCP
 * segment), {"cmd":"SIZE x"} (one command, its reply collected), or {"retr"|"list"|"stor":PATH,"dataHex"}
 * (PASV, the command, and its data). stdout: {"replies":"…","results":[{step,reply,data(base64)}],
 * "closedByServer":bool}.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { replyReader } from './ftp-replies.ts';

interface Step {
  hex?: string;
  text?: string;
  delayMs?: number;
  cmd?: string;
  retr?: string;
  list?: string;
  stor?: string;
  dataHex?: string;
}
interface StepResult {
  step: string;
  reply: string;
  data?: string;
}

/** A tiny FTP client: raw segments, or commands whose replies (and passive data) are collected. */
async function control(
  host: string,
  port: number,
  scriptPath: string,
): Promise<void> {
  const script = JSON.parse(readFileSync(scriptPath, 'utf8')) as {
    steps: Step[];
    waitMs?: number;
  };
  const sock = connect({ host, port, noDelay: true });
  const reader = replyReader(sock, 5_000);
  await new Promise<void>((r, j) => {
    sock.once('connect', r);
    sock.once('error', j);
  });
  /** The next complete reply (multi-line aware), or '' if the server closed or 5 s passed. */
  const nextReply = (): Promise<string> => reader.next();
  const send = (line: string): void => {
    sock.write(`${line}\r\n`, 'latin1');
  };
  const passive = async (
    command: string,
    upload?: Buffer,
  ): Promise<StepResult> => {
    send('PASV');
    const pasv = await nextReply();
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(pasv);
    if (!m) return { step: command, reply: pasv };
    const data = connect({
      host: `${m[1]}.${m[2]}.${m[3]}.${m[4]}`,
      port: Number(m[5]) * 256 + Number(m[6]),
    });
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((r) => {
      data.on('close', () => r());
    });
    data.on('data', (d: Buffer) => chunks.push(d));
    data.on('error', () => {});
    await new Promise<void>((r) => {
      data.once('connect', () => r());
      data.once('error', () => r());
    });
    send(command);
    let reply = await nextReply();
    if (reply.startsWith('1')) {
      if (upload) data.end(upload);
      else
        await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000))]);
      reply += `\n${await nextReply()}`;
    }
    data.destroy();
    return {
      step: command,
      reply,
      data: Buffer.concat(chunks).toString('base64'),
    };
  };
  await nextReply(); // greeting
  const results: StepResult[] = [];
  for (const s of script.steps) {
    if (reader.closed) break;
    if (s.hex !== undefined) sock.write(Buffer.from(s.hex, 'hex'));
    if (s.text !== undefined) sock.write(s.text, 'latin1');
    if (s.hex !== undefined || s.text !== undefined) {
      await new Promise((r) => setTimeout(r, s.delayMs ?? 20));
      continue;
    }
    if (s.cmd !== undefined) {
      send(s.cmd);
      results.push({ step: s.cmd, reply: await nextReply() });
    }
    if (s.retr !== undefined) results.push(await passive(`RETR ${s.retr}`));
    if (s.list !== undefined) results.push(await passive(`LIST ${s.list}`));
    if (s.stor !== undefined)
      results.push(
        await passive(`STOR ${s.stor}`, Buffer.from(s.dataHex ?? '', 'hex')),
      );
  }
  await new Promise((r) => setTimeout(r, script.waitMs ?? 300));
  const wasClosed = reader.closed;
  sock.destroy();
  process.stdout.write(
    `${JSON.stringify({ replies: reader.all, results, closedByServer: wasClosed })}\n`,
  );
}

const [host, port, script] = process.argv.slice(2);
if (host === undefined || port === undefined || script === undefined) {
  process.stderr.write('usage: ftp-control HOST PORT SCRIPT.json\n');
  process.exit(2);
}
await control(host, Number(port), script);
