/**
 * The validated, normalised, frozen model of one appliance.yaml.
 * Every service receives it as an argument (never a global); hot reload swaps in a new one.
 * Field names are the ones the YAML uses; MACs are 12 lower-case hex digits; addresses are dotted strings
 * with their numeric form alongside where protocols do arithmetic on them.
 */

import type { Cidr } from '../shared/ipv4.ts';
import type { Mac } from '../shared/mac.ts';

export type Family = 'SoundPoint' | 'SoundStation' | 'VVX' | 'Trio' | 'Other';
export type Protocol = 'ftp' | 'tftp' | 'http' | 'https';

/** Polycom parameter name (reg.1.address, device.set …) to its value as written into the .cfg file. */
export type Parameters = Readonly<Record<string, string>>;

export interface ModelInfo {
  /** Token of [PHONE_MODEL] and APPLICATION_<MODEL>: VVX410, SPIP650, SSIP6000. */
  readonly model: string;
  /** User-Agent / option 60 token: VVX_410, SPIP_650, SSIP_6000. */
  readonly uaToken: string;
  /** Family word of the User-Agent: PolycomVVX-VVX_410 → VVX; SoundPointIP, SoundStationIP, RealPresenceTrio. */
  readonly uaFamily: string;
  readonly family: Family;
  /** Polycom part number; the split download names the image <partNumber>.sip.ld. */
  readonly partNumber: string;
  /** SoundPoint / SoundStation IP models carry a separate <partNumber>.bootrom.ld. */
  readonly hasBootrom: boolean;
  readonly description: string;
  /** Firmware release chosen for this model across all sites (a site or a phone may override). */
  readonly firmware: string | undefined;
  /** Parameters every phone of this model gets (after phone, before site). */
  readonly parameters: Parameters;
}

export interface FirmwareRelease {
  readonly name: string;
  readonly version: string;
  /** Folder relative to tftpboot/, normalised with forward slashes and no leading or trailing slash. */
  readonly folder: string;
  /**
   * Application file name as written in APP_FILE_PATH. "sip.ld" for split downloads: the phone prefixes its
   * own part number, asking for <partNumber>.sip.ld. A legacy combined image is named as-is (sip_212.ld).
   */
  readonly image: string;
  /** Extra configuration files shipped with the release (legacy sip_212.cfg …), relative to its folder. */
  readonly configFiles: readonly string[];
  /** Absolute folder on disk. */
  readonly dir: string;
}

/** One contact (Polycom's <item>): fn ln ct sd rt dc ad ar bw bb lb pt. */
export interface DirectoryEntry {
  readonly firstName: string;
  readonly lastName: string;
  readonly contact: string;
  readonly speedDial?: number | undefined;
  readonly ringType?: number | undefined;
  readonly divertContact?: string | undefined;
  readonly autoDivert?: boolean | undefined;
  readonly autoReject?: boolean | undefined;
  readonly buddyWatch?: boolean | undefined;
  readonly buddyBlock?: boolean | undefined;
  readonly label?: string | undefined;
  readonly protocol?: 'SIP' | 'H323' | 'Unspecified' | undefined;
}

export interface SiteDirectory {
  /** dir.local.readonly: the phones reload it on check-sync and may not change it. */
  readonly readOnly: boolean;
  readonly entries: readonly DirectoryEntry[];
}

export interface VlanDiscovery {
  /** VLAN ids offered; joined with '+' in the DVD string. */
  readonly ids: readonly number[];
  /** 'fixed' sends options 128, 144, 157 and 191 only if asked for … see dhcp; or one custom option code. */
  readonly option: 'fixed' | number;
}

export interface BootServer {
  readonly protocol: Protocol;
  /** Host written into the URL; defaults to the appliance address. */
  readonly host: string;
  readonly port: number | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** The site's folder in the tree ("" = served at the root). */
  readonly path: string;
  /** The full boot-server URL as sent in options 66 and 160, e.g. ftp://PlcmSpIp:PlcmSpIp@10.20.0.2/hq */
  readonly url: string;
}

export interface DhcpPool {
  readonly first: number;
  readonly last: number;
  readonly text: string;
}

/** A raw DHCP option value as configured: code and typed value; encoded by the DHCP codec. */
export interface OptionValue {
  readonly code: number;
  readonly type:
    | 'ip'
    | 'ips'
    | 'string'
    | 'u8'
    | 'u16'
    | 'u32'
    | 'i32'
    | 'hex'
    | 'bool';
  readonly value: string | number | boolean | readonly string[];
}

export interface Site {
  readonly name: string;
  readonly mode: 'authoritative' | 'inform-only';
  readonly subnet: Cidr;
  readonly pools: readonly DhcpPool[];
  readonly router: string | undefined;
  readonly dns: readonly string[];
  readonly domain: string | undefined;
  readonly ntp: readonly string[];
  /** Option 2, signed seconds east of UTC (negative west). */
  readonly timeOffset: number | undefined;
  readonly leaseTime: number;
  /** Relay agent addresses (giaddr) whose requests belong to this site, besides any giaddr inside the subnet. */
  readonly relays: readonly string[];
  readonly vlan: VlanDiscovery | undefined;
  readonly bootServer: BootServer;
  /** Extra DHCP options for every client of this site. */
  readonly options: readonly OptionValue[];
  readonly parameters: Parameters;
  /** Per-model firmware release names overriding the model's choice at this site. */
  readonly firmware: Readonly<Record<string, string>>;
  readonly directory: SiteDirectory;
  /** FTP / HTTP basic-auth accounts confined to this site's folder. */
  readonly accounts: readonly {
    readonly user: string;
    readonly password: string;
  }[];
  /** allowUnknownHosts (unsafe): uploads from an address bound to no phone are accepted, as the name's MAC. */
  readonly uploads: { readonly allowUnknownHosts: boolean };
}

/** Labels a DHCP class can match; every given selector must match. */
export interface ClassMatch {
  readonly model?: string;
  readonly family?: Family;
  readonly partNumber?: string;
  /** Substring of the option 60 text (ASCII form, or the decoded binary form's model string). */
  readonly vendorClass?: string;
  readonly site?: string;
}

export interface DhcpClass {
  readonly name: string;
  readonly match: ClassMatch;
  readonly options: readonly OptionValue[];
}

export interface Phone {
  readonly mac: Mac;
  /** The MAC as spelled in appliance.yaml (the key), for messages. */
  readonly key: string;
  readonly site: string | undefined;
  readonly model: string | undefined;
  readonly label: string | undefined;
  readonly parameters: Parameters;
  /** Firmware release pinned for this one phone (gives it its own <MAC>.cfg master file). */
  readonly firmware: string | undefined;
  /** Fixed address (reservation), excluded from the pool. */
  readonly address: string | undefined;
  readonly options: readonly OptionValue[];
  /** Contacts of this phone only, listed before its site's in <MAC>-directory.xml. */
  readonly directory: readonly DirectoryEntry[];
}

export interface Services {
  readonly dhcp: { readonly enabled: boolean; readonly port: number };
  readonly tftp: {
    readonly enabled: boolean;
    readonly port: number;
    readonly maxBlksize: number;
    readonly maxTransfers: number;
    readonly maxTransfersPerHost: number;
    readonly maxTransferSeconds: number;
  };
  readonly ftp: {
    readonly enabled: boolean;
    readonly port: number;
    readonly pasvMin: number;
    readonly pasvMax: number;
    readonly cert: string | undefined;
    readonly key: string | undefined;
  };
  readonly http: { readonly enabled: boolean; readonly port: number };
  readonly https: {
    readonly enabled: boolean;
    readonly port: number;
    readonly cert: string | undefined;
    readonly key: string | undefined;
    readonly clientCa: string | undefined;
  };
  readonly admin: {
    readonly enabled: boolean;
    readonly address: string | undefined;
    readonly port: number;
    readonly token: string | undefined;
  };
  /** SNTP server; stratum is announced while the host clock is not synchronised. */
  readonly ntp: {
    readonly enabled: boolean;
    readonly port: number;
    readonly stratum: number;
  };
  /** Syslog receiver (UDP, and TCP when tcp); maxFileBytes caps each phone's log file, maxPhones their number. */
  readonly syslog: {
    readonly enabled: boolean;
    readonly port: number;
    readonly tcp: boolean;
    readonly maxFileBytes: number;
    readonly maxPhones: number;
  };
}

export interface UploadLimits {
  /** Bytes, per kind of upload. */
  readonly overrides: number;
  readonly logs: number;
  readonly contacts: number;
  readonly calls: number;
  /** Previous generations of each override / contact file kept for undo. */
  readonly keepGenerations: number;
}

/** Another DHCP server's lease file the appliance reads when its own DHCP is off (`appliance.leaseSource`). */
export interface LeaseSource {
  readonly kind: 'kea' | 'dnsmasq';
  /** Absolute path. */
  readonly path: string;
}

export interface ApplianceModel {
  /** The appliance's own address on the phone network: the default boot-server host and DHCP server id. */
  readonly address: string;
  /** The only interface DHCP answers on (directly attached phones); relayed requests arrive via relays. */
  readonly interface: string;
  /** Absolute paths. */
  readonly tftpboot: string;
  readonly dataDir: string;
  readonly services: Services;
  /** Where the leases come from when services.dhcp is disabled (Kea or dnsmasq beside the appliance). */
  readonly leaseSource: LeaseSource | undefined;
  readonly uploads: UploadLimits;
  readonly defaultFirmware: string | undefined;
  readonly parameters: Parameters;
  readonly firmware: ReadonlyMap<string, FirmwareRelease>;
  readonly models: ReadonlyMap<string, ModelInfo>;
  readonly sites: ReadonlyMap<string, Site>;
  readonly classes: readonly DhcpClass[];
  readonly phones: ReadonlyMap<Mac, Phone>;
  /** Where the YAML came from, and its SHA-256, for the admin page. */
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly loadedAt: string;
  };
}
