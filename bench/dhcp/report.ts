/** The DHCP benchmark's Markdown report: both figures, every step, every CPU round, the machine's state. */
import { clean, type Run } from './perfdhcp.ts';

type Measured = Run & { hwmKb: number | undefined };

export interface Outcome {
  readonly name: string;
  readonly steps: readonly Measured[];
  /** drops: the server dropped; generator(-drops): perfdhcp was the limit (with or without drops). */
  readonly end: 'drops' | 'generator' | 'generator-drops' | 'top of the ladder';
}

export interface ReportInput {
  readonly command: string;
  readonly options: {
    durationS: number;
    exitWaitS: number;
    log: string;
    clientRcvbuf: number;
    keaRcvbuf: number;
  };
  readonly uptimeBefore: string;
  readonly uptimeAfter: string;
  readonly outcomes: readonly Outcome[];
  readonly cpuRate: number;
  /** Whether every server was clean at cpuRate in the ladder. */
  readonly cpuClean: boolean;
  readonly cpuRuns: ReadonlyMap<string, readonly Measured[]>;
}

const KEA = 'kea-dhcp4';
/** CPU seconds per 1,000 exchanges the server answered (two replies each, counted on its interface). */
const perK = (r: Run): number =>
  (r.serverCpuS * 1000) / Math.max(1, r.serverTx / 2);
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mib = (kb: number | undefined): string =>
  kb === undefined ? '-' : `${(kb / 1024).toFixed(1)} MiB`;
const f3 = (x: number): string => x.toFixed(3);

const best = (o: Outcome): number | undefined =>
  o.steps.filter(clean).at(-1)?.rate;

function ending(o: Outcome): string {
  const last = o.steps.at(-1);
  if (!last) return 'not run';
  const at = `${last.rate}/s`;
  const drops = `${last.dropsDO}/${last.dropsRA} % drops`;
  switch (o.end) {
    case 'drops':
      return `server drops at ${at} (${drops}; perfdhcp not the limit there)`;
    case 'generator':
      return `perfdhcp saturated at ${at} before the server dropped (${last.generatorLimits.join('; ')}): ceiling not found, ≥ ${best(o) ?? '-'}/s`;
    case 'generator-drops':
      return `drops at ${at} (${drops}) with perfdhcp saturated (${last.generatorLimits.join('; ')}): not attributable to the server`;
    default:
      return `clean up to the top of the ladder (${at})`;
  }
}

export function stepLine(name: string, r: Measured): string {
  const share = r.perfdhcpCpuS / r.durationS;
  return `${name} ${r.rate}/s: drops ${r.dropsDO}% / ${r.dropsRA}%, ACKs ${r.acks}, server sent ${r.serverTx}, ACK delay avg ${r.avgMs} max ${r.maxMs} ms, server CPU ${r.serverCpuS.toFixed(2)} s (${f3(perK(r))} s per 1,000 DORA), perfdhcp CPU ${r.perfdhcpCpuS.toFixed(2)} s (${(share * 100).toFixed(0)} % of a core), server in/out ${r.srv.inDatagrams}/${r.srv.outDatagrams} (full-buffer losses ${r.srv.rcvbufErrors}), server socket drops ${r.srvSock.drops} (receive buffer ${r.srvSock.rcvbuf} bytes), client in ${r.cli.inDatagrams} (full-buffer losses ${r.cli.rcvbufErrors}), machine busy ${(r.machineBusy * 100).toFixed(0)} %, load ${r.load1}, VmHWM ${mib(r.hwmKb)}${r.generatorLimits.length ? `, LOAD GENERATOR LIMIT: ${r.generatorLimits.join('; ')}` : ''}`;
}

/** What perfdhcp's receive buffer was, as the kernel reported it in every run (the same for every server). */
function rcvbufLine(i: ReportInput): string {
  const all = [
    ...i.outcomes.flatMap((o) => o.steps),
    ...[...i.cpuRuns.values()].flat(),
  ];
  const granted = [...new Set(all.map((r) => r.clientRcvbuf))];
  if (i.options.clientRcvbuf <= 0)
    return "perfdhcp's receive buffer: its default (net.core.rmem_default, `--client-rcvbuf 0`).";
  const sizes = granted
    .map((b) => (b === undefined ? 'not set' : `${b} bytes`))
    .join(', ');
  const kea =
    i.options.keaRcvbuf > 0
      ? ` kea-dhcp4's sockets: ${i.options.keaRcvbuf} bytes asked the same way (what the appliance's DHCP socket asks with SO_RCVBUF; the kernel doubles both; see "receive buffer" per run).`
      : " kea-dhcp4's sockets: its own (net.core.rmem_default, `--kea-rcvbuf 0`).";
  return `perfdhcp's receive buffer: ${i.options.clientRcvbuf} bytes asked with SO_RCVBUFFORCE by an LD_PRELOAD (bench/dhcp/rcvbuf.c; net.core.rmem_* are read-only inside a namespace on this kernel, so the machine's sysctls stay as they are), granted ${sizes} in every run, for every server alike.${kea}`;
}

export function report(i: ReportInput): string {
  const kea = i.outcomes.find((o) => o.name === KEA);
  const keaBest = kea && best(kea);
  const keaOpen = kea?.end === 'generator' || kea?.end === 'top of the ladder';
  const L: string[] = [
    '# DHCP benchmark: perfdhcp DORA against the appliance, Kea and dnsmasq (same run)',
    '',
    `Command: \`${i.command}\` (as root; run ${new Date().toISOString()}, Node ${process.version}, this 2-core machine).`,
    `perfdhcp \`-4 -l eth0 -r RATE -p ${i.options.durationS} -R 1000000${i.options.exitWaitS > 0 ? ` -W ${Math.round(i.options.exitWaitS * 1e6)}` : ''}\` (relay mode, random MACs) from a client namespace; a fresh server`,
    'and an empty lease store for every run; pool 10.96.0.0-10.111.255.254 of 10.64.0.0/10 for all three.',
    rcvbufLine(i),
    '',
    'Leases: the appliance appends each to its journal and fdatasyncs it (group commit) before the ACK is sent;',
    'kea-dhcp4 2.2.0 uses `lease-database: { type: memfile, persist: true, lfc-interval: 0 }`: it writes each lease',
    'to its CSV file before answering but never fsyncs it (a crash of the machine can lose ACKed leases);',
    ...(i.options.log === 'warn'
      ? [
          'dnsmasq rewrites its lease file. Logging quiet (`--log warn`), to a file: the appliance at warn, Kea at',
          'WARN (no line per exchange for either), dnsmasq with `--quiet-dhcp`. Kea runs single-threaded',
        ]
      : [
          "dnsmasq rewrites its lease file. Logging at each one's default level, to a file: the appliance at info",
          '(one JSON line per DHCP message), Kea at INFO (two lines per exchange), dnsmasq with `--quiet-dhcp`. Kea runs single-threaded',
        ]),
    "(2.2.0's default). The appliance runs as users start it, `node bin/appliance.js run --config appliance.yaml`",
    '(it re-executes itself with its V8 flags and MALLOC_ARENA_MAX=1), every service at its default (on; only',
    'DHCP and the inventory it feeds have work).',
    '',
    `uptime before: \`${i.uptimeBefore}\`; after: \`${i.uptimeAfter}\` (2 cores, shared with other work).`,
    '',
    '## Highest clean rate (< 0.1 % drops in DISCOVER-OFFER and REQUEST-ACK)',
    '',
    '| server | highest clean DORA/s | ratio to Kea | how the ladder ended |',
    '|---|---|---|---|',
  ];
  for (const o of i.outcomes) {
    const b = best(o);
    // A ladder that ended without the server dropping gives a bound, not a ratio; two such give nothing.
    const open = o.end === 'generator' || o.end === 'top of the ladder';
    const bound =
      o.name === KEA
        ? ''
        : open && !keaOpen
          ? '≥ '
          : keaOpen && !open
            ? '≤ '
            : '';
    const ratio =
      b && keaBest && !(open && keaOpen && o.name !== KEA)
        ? `${bound}${(b / keaBest).toFixed(2)}×`
        : b && keaBest
          ? '- (neither limit found)'
          : '-';
    L.push(`| ${o.name} | ${b ?? 'none'} | ${ratio} | ${ending(o)} |`);
  }
  L.push('', `## CPU seconds per 1,000 DORA at ${i.cpuRate || '-'}/s`, '');
  if (!i.cpuRate)
    L.push('No rate at which every server was clean: no CPU figure.');
  else {
    const keaMed = i.cpuRuns.get(KEA) && median(i.cpuRuns.get(KEA)!.map(perK));
    if (!i.cpuClean)
      L.push(
        `No rate was clean for every server in the ladder (a loaded machine): the lowest step, ${i.cpuRate}/s, is used; see the drops per round.`,
        '',
      );
    L.push(
      `Server CPU (utime + stime, all threads, /proc/<pid>/stat) over a ${i.cpuRuns.values().next().value?.[0]?.durationS ?? '-'} s perfdhcp run ÷ exchanges it answered (packets its interface sent ÷ 2: OFFER + ACK), one fresh server per round, servers alternating.`,
      "Ratio: Kea's median ÷ this server's (≥ 1.00× = as cheap as Kea or cheaper).",
      '',
      '| server | per round (s per 1,000 DORA) | median | ratio to Kea | drops per round DO/RA % | perfdhcp CPU per round (s) | VmHWM (largest) |',
      '|---|---|---|---|---|---|---|',
    );
    for (const [name, runs] of i.cpuRuns) {
      const m = median(runs.map(perK));
      L.push(
        `| ${name} | ${runs.map((r) => f3(perK(r))).join(', ')} | ${f3(m)} | ${keaMed ? `${(keaMed / m).toFixed(2)}×` : '-'} | ${runs.map((r) => `${r.dropsDO}/${r.dropsRA}`).join(', ')} | ${runs.map((r) => r.perfdhcpCpuS.toFixed(2)).join(', ')} | ${mib(Math.max(...runs.map((r) => r.hwmKb ?? 0)))} |`,
      );
    }
  }
  L.push(
    '',
    '## Every run',
    '',
    'Kernel Udp counters of each namespace: server in/out = datagrams its namespace received/sent (Kea uses a',
    "raw socket: 0/0), client in = replies reaching perfdhcp's socket, full-buffer losses = RcvbufErrors;",
    "server socket drops = datagrams dropped on the server's own sockets, UDP or raw (`ss -m`: skmem d), and their receive buffer (rb).",
    "Machine busy = share of both cores busy during the run, all processes (other engineers' work included).",
    '',
    '```',
  );
  for (const o of i.outcomes)
    for (const r of o.steps) L.push(stepLine(o.name, r));
  for (const [name, runs] of i.cpuRuns)
    for (const r of runs) L.push(`CPU round: ${stepLine(name, r)}`);
  L.push('```', '');
  return L.join('\n');
}
