/**
 * appliance-phonesim's plan: the phones (MACs, models, flash versions, boot-server mode, user change) and
 * the simulation's settings (DHCP, TFTP, timeouts, reboots) that a command line asks for.
 */

import { err, ok, type Result } from '../../src/shared/result.ts';
import { FACTORY_DEFAULTS } from './boot-server.ts';
import type { PhoneSettings } from './boot-session.ts';
import { readCommandLine } from './cli-options.ts';
import { type SimError, simError } from './errors.ts';
import { findModel, nthMac } from './identity.ts';
import type { SimOptions } from './sim.ts';

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
  const read = readCommandLine(argv);
  if (!read.ok) return read;
  const { values: a, nums, choice } = read.value;
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
