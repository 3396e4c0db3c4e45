/**
 * Who a simulated phone is: MAC (Polycom OUI), model from the appliance's catalog, firmware versions, and what
 * it derives from them: the option 60 value (binary or ASCII), the DHCP parameter request list, the HTTP
 * User-Agent.
 */

import { type CatalogEntry, catalogModels } from '../../src/config/catalog.ts';
import { encodePolycomVendorClass } from '../../src/policy/vendor-class.ts';
import { err, ok, type Result } from '../../src/shared/result.ts';
import { type SimError, simError } from './errors.ts';
import type { UserAgentType } from './transfer.ts';

export const POLYCOM_OUIS = ['0004f2', '64167f', '482567'] as const;

export interface PhoneIdentity {
  readonly mac: string;
  readonly model: CatalogEntry;
  /** Hardware revision in option 60 sub-option 3. */
  readonly hardwareRevision: number;
}

export function findModel(token: string): Result<CatalogEntry, SimError> {
  const t = token.replace(/[\s_-]/g, '').toLowerCase();
  for (const m of catalogModels()) {
    if (
      m.model.toLowerCase() === t ||
      m.uaToken.replace(/_/g, '').toLowerCase() === t
    )
      return ok(m);
  }
  return err(
    simError('SIM_UNKNOWN_MODEL', `model "${token}" is not in the catalog`),
  );
}

/** The n-th MAC of a run: OUI + 24-bit counter from a base (deterministic). */
export function nthMac(base: string, n: number): string {
  const oui = base.slice(0, 6);
  const start = parseInt(base.slice(6), 16);
  return oui + ((start + n) & 0xffffff).toString(16).padStart(6, '0');
}

export interface VersionStrings {
  /** Sub-option 4: SIP/<app version>/<build date>. */
  readonly app: string;
  /** Sub-option 5: BR/<bootROM version>/<date> (SoundPoint, SoundStation) or UP/<updater version>/<date> (UCS). */
  readonly boot: string;
}

/** Version strings of option 60 sub-options 4 and 5 for the given versions. */
export function versionStrings(
  model: CatalogEntry,
  appVersion: string,
  bootVersion: string,
  stamp = '26-Nov-20 13:35',
): VersionStrings {
  const bootTag = model.hasBootrom ? 'BR' : 'UP';
  return {
    app: `SIP/${appVersion}/${stamp}`,
    boot: `${bootTag}/${bootVersion}/${stamp}`,
  };
}

/** Option 60 bytes: Polycom binary (default) or the ASCII form Polycom-VVX410. */
export function vendorClass(
  id: PhoneIdentity,
  form: 'binary' | 'ascii',
  v: VersionStrings,
): Uint8Array {
  if (form === 'ascii')
    return new TextEncoder().encode(`Polycom-${id.model.model}`);
  return encodePolycomVendorClass({
    model: `${id.model.uaFamily}-${id.model.uaToken}`,
    partNumber: `${id.model.partNumber},${id.hardwareRevision}`,
    appVersion: v.app,
    bootVersion: v.boot,
  });
}

/**
 * Option 55 as real phones send it (Fingerbank lists, facts §1.3): SoundPoint IP 450 `1,28,160,66,3,4,42,2,6,15`,
 * SoundStation IP 6000 `1,3,15,160,66,3,4,54,42,2,6,15`; with VLAN discovery on, 128,144,157,191 are appended
 * (a custom VLAN option is appended instead when one is set).
 */
export function parameterRequestList(
  id: PhoneIdentity,
  vlan: 'off' | 'fixed' | number,
  customBootOption: number,
): number[] {
  const base =
    id.model.family === 'SoundStation'
      ? [1, 3, 15, 160, 66, 3, 4, 54, 42, 2, 6, 15]
      : [1, 28, 160, 66, 3, 4, 42, 2, 6, 15];
  const list = [...base];
  if (customBootOption !== 160 && !list.includes(customBootOption))
    list.splice(2, 0, customBootOption);
  if (vlan === 'fixed') list.push(128, 144, 157, 191);
  else if (typeof vlan === 'number') list.push(vlan);
  return list;
}

/** `FileTransport PolycomVVX-VVX_410-UA/5.9.7.4477 Type/Application` (facts §7). */
export function userAgent(
  id: PhoneIdentity,
  version: string,
  type: UserAgentType,
): string {
  return `FileTransport Polycom${id.model.uaFamily}-${id.model.uaToken}-UA/${version} Type/${type}`;
}
