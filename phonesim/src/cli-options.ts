/**
 * appliance-phonesim's command line: the usage text, which options take a value, repeat or are flags, the
 * defaults of its numbers and the words its choices allow; readCommandLine checks them (SIM_BAD_ARGS).
 */

import { parseArgs } from 'node:util';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';
import { POLYCOM_OUIS } from './identity.ts';

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

/** The command line's values, its numbers (with their defaults) and its choices, checked; "help" as an error. */
export function readCommandLine(argv: readonly string[]) {
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
  return ok({ values: a, nums, choice });
}
