/**
 * The IEEE OUIs (first three bytes of a MAC) registered to Polycom (now Poly / HP) that its desk phones ship
 * with. A domain rule: the inventory records a MAC it has no other evidence for only under one of these.
 * No other list of them exists in the code; add a prefix here when a new phone range appears.
 */
export const POLYCOM_OUIS: ReadonlySet<string> = new Set([
  '0004f2',
  '64167f',
  '00e075',
  '482567',
]);

/** Whether a normalised MAC (12 lower-case hex digits) carries a Polycom OUI. */
export const hasPolycomOui = (mac: string): boolean =>
  POLYCOM_OUIS.has(mac.slice(0, 6));
