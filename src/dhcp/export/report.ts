/**
 * What an export could not say. Every exporter (kea.ts, dnsmasq.ts) returns its file text together with a
 * list of findings: 'lost' means a piece of the appliance's policy is missing from the exported file (exit
 * status 2), 'differs' means it is there but behaves slightly differently on the wire (printed, exit 0).
 */

export type Target = 'kea' | 'dnsmasq';

export interface Finding {
  readonly severity: 'lost' | 'differs';
  /** Stable code (docs/errors.md): DHCP_EXPORT_… */
  readonly code: string;
  /** Where in appliance.yaml: "sites.hq.vlan", "classes.conference". */
  readonly where: string;
  readonly message: string;
}

export interface ExportResult {
  readonly target: Target;
  /** The configuration file, complete. */
  readonly text: string;
  readonly findings: readonly Finding[];
}

/** Collects findings once each (the same limitation met twice is reported once). */
export class Report {
  readonly #seen = new Set<string>();
  readonly findings: Finding[] = [];

  lost(code: string, where: string, message: string): void {
    this.#add({ severity: 'lost', code, where, message });
  }

  differs(code: string, where: string, message: string): void {
    this.#add({ severity: 'differs', code, where, message });
  }

  #add(f: Finding): void {
    const key = `${f.code}|${f.where}|${f.message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.findings.push(f);
  }
}

/** One line per finding, for stderr: "kea: cannot express classes.x: … [DHCP_EXPORT_…]". */
export function formatFindings(r: ExportResult): string {
  return r.findings
    .map(
      (f) =>
        `${r.target}: ${f.severity === 'lost' ? 'cannot express' : 'differs'} ${f.where}: ${f.message} [${f.code}]\n`,
    )
    .join('');
}

/** 0 when everything was expressed (differences only), 2 when something was lost. */
export const exitStatus = (r: ExportResult): number =>
  r.findings.some((f) => f.severity === 'lost') ? 2 : 0;
