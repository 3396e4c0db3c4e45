/**
 * A request, from any protocol, becomes labels; one pure selector (select.ts) decides what applies.
 * DHCP fills them from option 60 and giaddr; file services from the path's MAC and the User-Agent.
 */
import type { Family } from '../config/model.ts';
import type { Mac } from '../shared/mac.ts';

export interface Labels {
  readonly mac?: Mac | undefined;
  readonly site?: string | undefined;
  /** Catalog model token: VVX410, SPIP650. */
  readonly model?: string | undefined;
  readonly family?: Family | undefined;
  readonly partNumber?: string | undefined;
  /** Option 60 as text (ASCII form, or the binary form's fields joined). */
  readonly vendorClass?: string | undefined;
}
