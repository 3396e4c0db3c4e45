/**
 * A raw FTP client that abuses one appliance from a lab host (test/ftp-hardening.test.ts), run with lab.spawn:
 *
 *   node test/lib/ftp-burst.ts pasv HOST PORT CONNECTIONS PASVS   log in on CONNECTIONS control connections and
 *        send PASVS PASV commands on each; prints {"codes":{…},"last":[…]} then "DONE", and keeps the
 *        connections open until its stdin closes (or 60 s pass)
 *   node test/lib/ftp-burst.ts login HOST PORT WRONG PASSWORD       WRONG logins with a wrong password on one
 *        connection, then one with PASSWORD (user PlcmSpIp); prints {"replies":[{code,ms}…]} and exits
 *   node test/lib/ftp-burst.ts user HOST PORT LENGTH                one login with a user name LENGTH bytes long
 * Every wait has a deadline; the process exits at 60 s whatever happens.
 */
import { connect, type Socket } from 'node:net';
import { replyReader } from './ftp-replies.ts';

const [mode, host = '', port = '21', a = '1', b = '1'] = process.argv.slice(2);
setTimeout(() => process.exit(3), 60_000).unref();

interface Ctl {
  sock: Socket;
  next(): Promise<string>;
  send(line: string): void;
}

async function open(): Promise<Ctl> {
  const sock = connect({ host, port: Number(port), noDelay: true });
  const reader = replyReader(sock, 45_000);
  await new Promise<void>((r, j) => {
    sock.once('connect', r);
    sock.once('error', j);
  });
  const next = (): Promise<string> => reader.next();
  const ctl = {
    sock,
    next,
    send: (line: string) => {
      sock.write(`${line}\r\n`, 'latin1');
    },
  };
  await next(); // greeting
  return ctl;
}

async function login(c: Ctl, user: string, pass: string): Promise<string> {
  c.send(`USER ${user}`);
  const u = await c.next();
  // ftp-srv keeps the user name of a failed login ("530 Username already set"): PASS alone is the next try.
  if (!u.startsWith('331') && !/^530 Username already set/.test(u)) return u;
  c.send(`PASS ${pass}`);
  return c.next();
}

if (mode === 'pasv') {
  const codes: Record<string, number> = {};
  const last: string[] = [];
  const conns: Ctl[] = [];
  for (let i = 0; i < Number(a); i++) {
    const c = await open();
    conns.push(c);
    await login(c, 'PlcmSpIp', 'PlcmSpIp');
    let reply = '';
    for (let j = 0; j < Number(b); j++) {
      c.send('PASV');
      reply = await c.next();
      const code = reply.slice(0, 3) || 'none';
      codes[code] = (codes[code] ?? 0) + 1;
    }
    last.push(reply);
  }
  process.stdout.write(`${JSON.stringify({ codes, last })}\nDONE\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
} else if (mode === 'login') {
  const c = await open();
  // Per attempt: its reply code, when it was sent and when its reply came (ms since the first was sent).
  const replies: { code: string; ms: number; sent: number; replied: number }[] =
    [];
  const base = performance.now();
  const attempt = async (pass: string): Promise<void> => {
    const t0 = performance.now();
    const r = await login(c, 'PlcmSpIp', pass);
    const t1 = performance.now();
    replies.push({
      code: r.slice(0, 3),
      ms: Math.round(t1 - t0),
      sent: Math.floor(t0 - base),
      replied: Math.ceil(t1 - base),
    });
  };
  for (let i = 0; i < Number(a); i++) await attempt(`wrong-${i}`);
  await attempt(b);
  process.stdout.write(`${JSON.stringify({ replies })}\n`);
  process.exit(0);
} else if (mode === 'user') {
  const c = await open();
  const r = await login(c, 'u'.repeat(Number(a)), 'x');
  process.stdout.write(`${JSON.stringify({ reply: r.slice(0, 3) })}\n`);
  process.exit(0);
} else {
  process.stderr.write('usage: ftp-burst.ts pasv|login|user HOST PORT …\n');
  process.exit(2);
}
