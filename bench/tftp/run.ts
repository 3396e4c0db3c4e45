/**
 * Benchmark: 100 concurrent downloads of a 4 MB image from our TFTP server and from tftpd-hpa (in.tftpd),
 * same machine, same lab, same run, same blksize (1468):
 *   1. 100 curl processes at once (lock-step, windowsize 1; curl has no windowsize);
 *   2. one Node client process (src/tftp/client.ts) running 100 downloads at windowsize 1 and at windowsize 16
 *      (tftpd-hpa does not implement RFC 7440 and ignores the option, so it stays lock-step).
 * Wall time of each round, ratio ours / tftpd-hpa, and the appliance's peak RSS.
 *
 *   node bench/tftp/run.ts [--count 100] [--size 4194304] [--rounds 1]
 * Needs root, in.tftpd (tftpd-hpa) and curl. Prints a markdown table (paste into bench/results/tftp.md).
 */
import { join } from 'node:path';
import { createTftpLab, IMAGE, REPO, SRV } from '../../test/lib/tftp-launcher.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : dflt; };
const COUNT = opt('--count', 100);
const SIZE = opt('--size', 4 * 1024 * 1024);
const ROUNDS = opt('--rounds', 1);
const HPA_PORT = 1069;

const created = await createTftpLab({ imageSize: SIZE, cmds: ['in.tftpd', 'curl'], quiet: true, hosts: ['srv', 'cli'], retry: '1000,8000,5' });
if ('skip' in created) { console.error(created.skip); process.exit(2); }
const l = created;
try {
  const tftpboot = join(l.dir, 'tftpboot');
  const hpa = l.lab.spawn('srv', ['in.tftpd', '--foreground', '--listen', '--address', `${SRV}:${HPA_PORT}`, '--user', 'root', '--secure', '--blocksize', '1468', tftpboot]);
  let hpaErr = '';
  hpa.stderr!.on('data', (d: Buffer) => { hpaErr += d.toString(); });
  await new Promise((r) => setTimeout(r, 300));
  if (hpa.exitCode !== null) throw new Error(`in.tftpd exited: ${hpaErr}`);

  /** 100 curl processes at once, from a shell in the client namespace; wall time in ms and failures. */
  async function curlRound(port: number): Promise<{ ms: number; failed: number }> {
    const script = `t0=$(date +%s%N); fail=0; pids=""
for i in $(seq ${COUNT}); do curl -s --tftp-blksize 1468 -o /dev/null tftp://${SRV}:${port}/${IMAGE} & pids="$pids $!"; done
for p in $pids; do wait $p || fail=$((fail+1)); done
echo $(( ($(date +%s%N) - t0) / 1000000 )) $fail`;
    const r = await l.lab.exec('cli', ['sh', '-c', script], { timeoutMs: 300_000 });
    const [ms, failed] = r.stdout.trim().split(/\s+/).map(Number);
    return { ms: ms!, failed: failed! };
  }
  async function nodeRound(port: number, windowsize: number): Promise<{ ms: number; failed: number; sha: string[] }> {
    const r = await l.lab.exec('cli', [process.execPath, join(REPO, 'src/tftp/client.ts'), SRV, IMAGE, '--port', String(port),
      '--blksize', '1468', '--windowsize', String(windowsize), '--count', String(COUNT)], { timeoutMs: 300_000 });
    const j = JSON.parse(r.stdout) as { ok: number; failed: number; wallMs: number; sha256: string[] };
    return { ms: j.wallMs, failed: j.failed, sha: j.sha256 };
  }

  const rows: string[] = [];
  const best = (xs: number[]): number => Math.min(...xs);
  const run = async (label: string, ours: () => Promise<{ ms: number; failed: number }>, theirs: () => Promise<{ ms: number; failed: number }>): Promise<void> => {
    const a: number[] = [];
    const b: number[] = [];
    let fa = 0;
    let fb = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const x = await theirs(); b.push(x.ms); fb += x.failed;
      const y = await ours(); a.push(y.ms); fa += y.failed;
    }
    rows.push(`| ${label} | ${best(a)} ms (${fa} failed) | ${best(b)} ms (${fb} failed) | ${(best(a) / best(b)).toFixed(2)}× |`);
    console.error(rows.at(-1));
  };
  await run(`${COUNT}× curl, blksize 1468, lock-step`, () => curlRound(69), () => curlRound(HPA_PORT));
  await run(`${COUNT}× Node client, blksize 1468, windowsize 1`, () => nodeRound(69, 1), () => nodeRound(HPA_PORT, 1));
  await run(`${COUNT}× Node client, blksize 1468, windowsize 16 (tftpd-hpa: ignored, lock-step)`, () => nodeRound(69, 16), () => nodeRound(HPA_PORT, 16));
  const sha = await nodeRound(69, 16);
  if (sha.sha.length !== 1 || sha.sha[0] !== l.imageSha) throw new Error(`content mismatch: ${JSON.stringify(sha.sha)}`);
  const stats = await l.stats();
  console.log(`| round (${COUNT} concurrent downloads of ${(SIZE / 1048576).toFixed(0)} MB) | ours | tftpd-hpa | ours / tftpd-hpa |`);
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nAppliance (TFTP service process) peak RSS: ${(stats.maxRssKb / 1024).toFixed(0)} MB; retransmits ${stats.retransmits}, completed ${stats.completed}, failed ${stats.failed}.`);
} finally {
  await l.destroy();
}
