/**
 * appliance-phonesim: boot one or many simulated Polycom phones against a provisioning server.
 * Prints the aggregate on stdout (or JSON with --json), a progress line on stderr while running.
 * Exit code 0 when every phone was provisioned, 1 when some failed, 2 on a usage error.
 */

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { addressAssigner } from './addresses.ts';
import { FACTORY_DEFAULTS } from './boot-server.ts';
import type { PhoneSettings } from './boot-session.ts';
import { createDhcpMux } from './dhcp-mux.ts';
import { type SimError, simError } from './errors.ts';
import { findModel, nthMac, POLYCOM_OUIS } from './identity.ts';
import { formatAggregate } from './report.ts';
import { runSimulation, type SimOptions } from './sim.ts';

export const USAGE = `appliance-phonesim [options]
  --count N               phones to simulate (default 1)
  --model M[,M...]        catalog models, assigned round-robin (default VVX410)
  --phone MAC=MODEL       one phone with this MAC and model (repeatable; replaces --count/--model)
  --mac-base HEX12        first MAC (default 0004f2a00001; OUIs ${POLYCOM_OUIS.join(', ')})
  --option60 binary|ascii option 60 form (default binary)
  --boot-server-mode option66|custom|static|custom+66   (default custom+66)
  --custom-option N       custom boot-server option (default 160)  --custom-type string|ip
  --static-server URL     boot server for mode static (also the flash's stored server)
  --server-type ftp|tftp|http|https   protocol for a bare address (default ftp)
  --vlan off|fixed|N      DHCP VLAN discovery (default off)
  --no-dhcp --server URL  skip DHCP, boot from URL
  --dhcp-server ADDR      where DHCP requests go (default 255.255.255.255)
  --dhcp-timeout MS       first retransmission timeout (default 2000, doubling to 16000)
  --dhcp-attempts N       transmissions per message (default 5)
  --assign-addresses IF   put each leased address on interface IF and send from it
  --tftp-blksize N        0 = no options (default 1468)  --tftp-timeout MS (default 1000)
  --timeout MS            per-request timeout (default 15000)
  --insecure              accept any HTTPS certificate
  --app-version [MODEL=]V flash application version (default 4.0.0.0000; MODEL=V for one model, repeatable)
  --boot-version [MODEL=]V  flash bootROM/updater version (default 4.0.0.0000; MODEL=V repeatable)
  --user-change K=V       a keypad change, uploaded as <MAC>-phone.cfg (repeatable)
  --renew                 renew the lease after booting
  --uploads required|best-effort   whether a refused upload fails the boot (default required)
  --boots N               boots per phone before giving up (default 3)
  --reboot-delay MS       delay before a reboot after a failure (default 2000)
  --boot-twice            boot each phone twice (the second skips unchanged images)
  --ramp MS               spread power-on over MS (default 0: all at once)
  --json FILE|-           write the per-phone reports and aggregate as JSON
  --quiet                 no progress line`;

/** The command line: options taking a value, options that may repeat, flags. */
const STRING_OPTIONS = [
  'count',
  'model',
  'mac-base',
  'option60',
  'boot-server-mode',
  'custom-option',
  'custom-type',
  'static-server',
  'server-type',
  'vlan',
  'server',
  'dhcp-server',
  'dhcp-timeout',
  'dhcp-attempts',
  'assign-addresses',
  'tftp-blksize',
  'tftp-timeout',
  'timeout',
  'uploads',
  'boots',
  'reboot-delay',
  'ramp',
  'json',
] as const;
const LIST_OPTIONS = [
  'phone',
  'app-version',
  'boot-version',
  'user-change',
] as const;
const FLAGS = [
  'no-dhcp',
  'insecure',
  'renew',
  'boot-twice',
  'quiet',
  'help',
] as const;

const options = <K extends string, T extends 'string' | 'boolean'>(
  type: T,
  names: readonly K[],
): Record<K, { type: T }> =>
  Object.fromEntries(names.map((k) => [k, { type }])) as Record<K, { type: T }>;
const lists = <K extends string>(
  names: readonly K[],
): Record<K, { type: 'string'; multiple: true }> =>
  Object.fromEntries(
    names.map((k) => [k, { type: 'string', multiple: true }]),
  ) as Record<K, { type: 'string'; multiple: true }>;

/** The options that take one of a few words: the default, and every allowed word (in the usage's order). */
const CHOICES = {
  option60: { dflt: 'binary', allowed: ['binary', 'ascii'] },
  'boot-server-mode': {
    dflt: 'custom+66',
    allowed: ['option66', 'custom', 'static', 'custom+66'],
  },
  'custom-type': { dflt: 'string', allowed: ['string', 'ip'] },
  'server-type': { dflt: 'ftp', allowed: ['ftp', 'tftp', 'http', 'https'] },
  uploads: { dflt: 'required', allowed: ['required', 'best-effort'] },
} as const satisfies Record<
  string,
  { dflt: string; allowed: readonly string[] }
>;
type Choice = {
  -readonly [K in keyof typeof CHOICES]: (typeof CHOICES)[K]['allowed'][number];
};

const oneOf = <T extends string>(
  v: string,
  allowed: readonly T[],
  what: string,
): Result<T, SimError> =>
  (allowed as readonly string[]).includes(v)
    ? ok(v as T)
    : err(
        simError(
          'SIM_BAD_ARGS',
          `${what} must be one of ${allowed.join(', ')}`,
        ),
      );

const int = (
  v: string | undefined,
  dflt: number,
  what: string,
): Result<number, SimError> => {
  if (v === undefined) return ok(dflt);
  return /^\d+$/.test(v)
    ? ok(Number(v))
    : err(simError('SIM_BAD_ARGS', `${what} must be a whole number`));
};

export interface CliPlan {
  readonly sim: Omit<SimOptions, 'env' | 'progress'> & {
    env: Omit<SimOptions['env'], 'mux' | 'assignAddress'>;
  };
  readonly dhcp: boolean;
  readonly dhcpServer: string | undefined;
  readonly assignIface: string | undefined;
  readonly json: string | undefined;
  readonly quiet: boolean;
}

export function planFromArgs(
  argv: readonly string[],
): Result<CliPlan, SimError> {
  let a;
  try {
    a = parseArgs({
      args: [...argv],
      options: {
        ...options('string', STRING_OPTIONS),
        ...lists(LIST_OPTIONS),
        ...options('boolean', FLAGS),
      },
      strict: true,
    }).values;
  } catch (e) {
    return err(simError('SIM_BAD_ARGS', (e as Error).message));
  }
  if (a.help) return err(simError('SIM_BAD_ARGS', 'help'));
  const nums: Record<string, number> = {};
  for (const [k, d] of [
    ['count', 1],
    ['custom-option', 160],
    ['dhcp-timeout', 2000],
    ['dhcp-attempts', 5],
    ['tftp-blksize', 1468],
    ['tftp-timeout', 1000],
    ['timeout', 15000],
    ['boots', 3],
    ['reboot-delay', 2000],
    ['ramp', 0],
  ] as const) {
    const r = int(a[k], d, `--${k}`);
    if (!r.ok) return r;
    nums[k] = r.value;
  }
  const choice = {} as Choice;
  for (const [k, c] of Object.entries(CHOICES)) {
    const r = oneOf(a[k as keyof Choice] ?? c.dflt, c.allowed, `--${k}`);
    if (!r.ok) return r;
    (choice as Record<string, string>)[k] = r.value;
  }
  const vlanArg = a.vlan ?? 'off';
  const vlan: 'off' | 'fixed' | number =
    vlanArg === 'off' || vlanArg === 'fixed' ? vlanArg : Number(vlanArg);
  if (
    typeof vlan === 'number' &&
    !(Number.isInteger(vlan) && vlan >= 128 && vlan <= 254)
  )
    return err(
      simError(
        'SIM_BAD_ARGS',
        '--vlan must be off, fixed or an option code 128-254',
      ),
    );
  const macBase = (a['mac-base'] ?? '0004f2a00001')
    .toLowerCase()
    .replace(/[:\-.]/g, '');
  if (!/^[0-9a-f]{12}$/.test(macBase))
    return err(simError('SIM_BAD_ARGS', '--mac-base must be 12 hex digits'));
  const models = [];
  for (const t of (a.model ?? 'VVX410').split(',')) {
    const m = findModel(t.trim());
    if (!m.ok) return m;
    models.push(m.value);
  }
  const dhcp = !a['no-dhcp'];
  if (!dhcp && !a.server)
    return err(simError('SIM_BAD_ARGS', '--no-dhcp needs --server URL'));
  const userChange = new Map<string, string>();
  for (const kv of a['user-change'] ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0)
      return err(
        simError('SIM_BAD_ARGS', `--user-change ${kv}: expected NAME=VALUE`),
      );
    userChange.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  const serverDefaults = {
    ...FACTORY_DEFAULTS,
    serverType: choice['server-type'],
  };
  const ids: PhoneSettings['id'][] = [];
  if (a.phone?.length) {
    for (const spec of a.phone) {
      const [m, t] = spec.split('=');
      const macHex = (m ?? '').toLowerCase().replace(/[:\-.]/g, '');
      if (!/^[0-9a-f]{12}$/.test(macHex) || !t)
        return err(
          simError('SIM_BAD_ARGS', `--phone ${spec}: expected MAC=MODEL`),
        );
      const model = findModel(t);
      if (!model.ok) return model;
      ids.push({ mac: macHex, model: model.value, hardwareRevision: 1 });
    }
  } else {
    for (let i = 0; i < nums.count!; i++)
      ids.push({
        mac: nthMac(macBase, i),
        model: models[i % models.length]!,
        hardwareRevision: 1,
      });
  }
  const versions = (
    list: string[] | undefined,
  ): { dflt: string; byModel: Map<string, string> } => {
    const byModel = new Map<string, string>();
    let dflt = '4.0.0.0000';
    for (const v of list ?? []) {
      const eq = v.indexOf('=');
      if (eq < 0) dflt = v;
      else {
        const m = findModel(v.slice(0, eq));
        if (m.ok) byModel.set(m.value.model, v.slice(eq + 1));
      }
    }
    return { dflt, byModel };
  };
  const appV = versions(a['app-version']);
  const bootV = versions(a['boot-version']);
  const phones: PhoneSettings[] = [];
  for (const id of ids) {
    phones.push({
      id,
      option60: choice.option60,
      bootServer: {
        mode: choice['boot-server-mode'],
        customOption: nums['custom-option']!,
        customType: choice['custom-type'],
      },
      staticServer: a['static-server'],
      serverDefaults,
      vlan,
      userChange: userChange.size ? userChange : undefined,
      renew: a.renew ?? false,
      uploads: choice.uploads,
      flashVersions: {
        app: appV.byModel.get(id.model.model) ?? appV.dflt,
        boot: bootV.byModel.get(id.model.model) ?? bootV.dflt,
      },
    });
  }
  return ok({
    sim: {
      phones,
      maxBoots: Math.max(1, nums.boots!),
      rebootDelayMs: nums['reboot-delay']!,
      rampMs: nums.ramp!,
      bootsInARow: a['boot-twice'] ? 2 : 1,
      env: {
        dhcp: {
          initialTimeoutMs: nums['dhcp-timeout']!,
          maxTimeoutMs: Math.max(nums['dhcp-timeout']!, 16000),
          attempts: Math.max(1, nums['dhcp-attempts']!),
        },
        tftp: {
          blksize: nums['tftp-blksize']!,
          packetTimeoutMs: nums['tftp-timeout']!,
          maxRetries: 5,
        },
        timeoutMs: nums.timeout!,
        insecure: a.insecure ?? false,
        fixedServer: dhcp ? undefined : a.server,
      },
    },
    dhcp,
    dhcpServer: a['dhcp-server'],
    assignIface: a['assign-addresses'],
    json: a.json,
    quiet: a.quiet ?? false,
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const plan = planFromArgs(argv);
  if (!plan.ok) {
    process.stderr.write(
      plan.error.message === 'help'
        ? `${USAGE}\n`
        : `appliance-phonesim: ${plan.error.code}: ${plan.error.message}\n${USAGE}\n`,
    );
    return plan.error.message === 'help' ? 0 : 2;
  }
  const p = plan.value;
  const mux = p.dhcp
    ? await createDhcpMux(p.dhcpServer ? { server: p.dhcpServer } : {})
    : undefined;
  try {
    const result = await runSimulation({
      ...p.sim,
      env: {
        ...p.sim.env,
        mux,
        assignAddress: p.assignIface
          ? addressAssigner(p.assignIface)
          : undefined,
      },
      progress: p.quiet
        ? undefined
        : (line) => process.stderr.write(`${line}\n`),
    });
    const dhcpStats = mux?.stats();
    process.stdout.write(
      `${formatAggregate(result.aggregate)}\n${dhcpStats ? `dhcp packets sent ${dhcpStats.sent}, received ${dhcpStats.received}, malformed ${dhcpStats.malformed}, unclaimed ${dhcpStats.unclaimed}\n` : ''}`,
    );
    if (p.json !== undefined) {
      const text = `${JSON.stringify({ aggregate: result.aggregate, dhcp: dhcpStats, phones: result.reports }, null, 1)}\n`;
      if (p.json === '-') process.stdout.write(text);
      else writeFileSync(p.json, text);
    }
    return result.aggregate.failed === 0 ? 0 : 1;
  } finally {
    await mux?.close();
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
