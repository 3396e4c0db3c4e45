/**
 * appliance.yaml as the appliance uses it: the config layer's loader (syntax, schema, semantics) plus the
 * domain's own checks, each at its file:line:col. Every caller that validates or runs a file loads it here.
 */
import { loadConfigFile, loadConfigText, type Loaded } from '../config/load.ts';
import type { ConfigIssue, ModelCheck } from '../config/issues.ts';
import type { Result } from '../shared/result.ts';
import { missingFirmware } from './firmware-check.ts';
import { bootromOverHttp, legacyConfigFiles, timeServer } from './boot-checks.ts';

export const POLICY_CHECKS: readonly ModelCheck[] = [(model) => missingFirmware(model), bootromOverHttp, legacyConfigFiles, timeServer];

export const loadAppliance = (file: string): Promise<Result<Loaded, ConfigIssue[]>> => loadConfigFile(file, POLICY_CHECKS);

export const loadApplianceText = (text: string, file: string): Result<Loaded, ConfigIssue[]> => loadConfigText(text, file, POLICY_CHECKS);
