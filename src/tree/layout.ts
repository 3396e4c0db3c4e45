/**
 * The writable areas of a site's folder and the may-write rule's name patterns (file names phones read: policy/files.ts). The master config points
 * the phones at these directories; uploads land only here, and only under names bound to a MAC.
 */
import type { UploadKind } from './types.ts';

export interface Area {
  readonly dir: string;
  readonly kind: UploadKind;
  readonly names: RegExp;
}

/** Writable areas, by the master config attribute that names them. */
export const AREAS = {
  LOG_FILE_DIRECTORY: {
    dir: 'logs',
    kind: 'log',
    names: /^([0-9a-f]{12})-(boot|app)\.log$/,
  },
  OVERRIDES_DIRECTORY: {
    dir: 'overrides',
    kind: 'override',
    names: /^([0-9a-f]{12})-(phone|web)\.cfg$/,
  },
  CONTACTS_DIRECTORY: {
    dir: 'contacts',
    kind: 'contacts',
    names: /^([0-9a-f]{12})-directory\.xml$/,
  },
  CALL_LISTS_DIRECTORY: {
    dir: 'calls',
    kind: 'calls',
    names: /^([0-9a-f]{12})-calls\.xml$/,
  },
} as const satisfies Record<string, Area>;

export const AREA_LIST: readonly Area[] = Object.values(AREAS);

/** The area an upload name belongs to (phones that were not told the directories upload at the root). */
export function areaForName(
  name: string,
): { area: Area; mac: string } | undefined {
  const lower = name.toLowerCase();
  for (const area of AREA_LIST) {
    const m = area.names.exec(lower);
    if (m) return { area, mac: m[1]! };
  }
  return undefined;
}
