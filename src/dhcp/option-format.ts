/**
 * Renders one option value for logs and the admin page, by its catalog type; hex when malformed or unknown.
 * Above the codec because option 60 is shown decoded (Polycom's binary form as text), which is policy's job.
 */

import { decodeVendorClass } from '../policy/vendor-class.ts';
import { optionType } from './codec/catalog.ts';
import { domains, sipServers } from './codec/domain-names.ts';
import { decodeSubOptions, decodeVivso } from './codec/sub-options.ts';
import {
  bool,
  i32,
  ip,
  ips,
  string,
  toHex,
  u8,
  u8list,
  u16,
  u32,
} from './codec/values.ts';

export function formatOption(code: number, value: Uint8Array): string {
  const shown = render(code, value);
  return shown ?? toHex(value);
}

function render(code: number, v: Uint8Array): string | undefined {
  switch (optionType(code)) {
    case 'ip':
      return ip.decode(v);
    case 'ips':
      return ips.decode(v)?.join(',');
    case 'u8':
      return u8.decode(v)?.toString();
    case 'u16':
      return u16.decode(v)?.toString();
    case 'u32':
      return u32.decode(v)?.toString();
    case 'i32':
      return i32.decode(v)?.toString();
    case 'string': {
      const s = string.decode(v);
      return s === undefined ? undefined : JSON.stringify(s);
    }
    case 'bool':
      return bool.decode(v)?.toString();
    case 'u8list':
      return u8list.decode(v)?.join(',');
    case 'domains':
      return domains.decode(v)?.join(',');
    case 'sip-servers': {
      const s = sipServers.decode(v);
      return s === undefined
        ? undefined
        : 'names' in s
          ? s.names.join(',')
          : s.addresses.join(',');
    }
    case 'suboptions': {
      const r = decodeSubOptions(v);
      return r.ok
        ? r.value.map(([c, x]) => `${c}=${toHex(x)}`).join(';')
        : undefined;
    }
    case 'vivso': {
      const r = decodeVivso(v);
      return r.ok
        ? r.value
            .map(
              (e) =>
                `${e.enterprise}:{${e.subOptions.map(([c, x]) => `${c}=${toHex(x)}`).join(';')}}`,
            )
            .join(',')
        : undefined;
    }
    case 'vendor-class':
      return JSON.stringify(decodeVendorClass(v).text);
    case 'hex':
      return undefined;
  }
}
