/**
 * appliance.yaml as the appliance uses it: the config layer's loader (syntax, schema, semantics) plus the
 * domain's own checks, each at its file:line:col. Every caller that validates or runs a file loads it here.
 */

import type { ConfigIssue, ModelCheck } from '../config/issues.ts';
import { type Loaded, loadConfigFile, loadConfigText } from '../config/load.ts';
import type { Result } from '../shared/result.ts';
import {
  bootromOverHttp,
  legacyConfigFiles,
  timeServer,
} from './boot-checks.ts';
import { missingFirmware } from './firmware-check.ts';
import { parameterCheck } from './parameters/check.ts';

export interface PolicyOptions {
  /** Unknown parameter names (and indices beyond their family) are errors, for CI. */
  readonly strict?: boolean;
}

export const policyChecks = (
  opts: PolicyOptions = {},
): readonly ModelCheck[] => [
  (model) => missingFirmware(model),
  bootromOverHttp,
  legacyConfigFiles,
  timeServer,
  parameterCheck({ strict: opts.strict ?? false }),
];

export const POLICY_CHECKS: readonly ModelCheck[] = policyChecks();

export const loadAppliance = (
  file: string,
  opts: PolicyOptions = {},
): Promise<Result<Loaded, ConfigIssue[]>> =>
  loadConfigFile(file, opts.strict ? policyChecks(opts) : POLICY_CHECKS);

export const loadApplianceText = (
  text: string,
  file: string,
  opts: PolicyOptions = {},
): Result<Loaded, ConfigIssue[]> =>
  loadConfigText(text, file, opts.strict ? policyChecks(opts) : POLICY_CHECKS);
