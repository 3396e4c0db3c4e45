/**
 * What the parts of buildModel share: the YAML, the issue list with its locator, and the releases and models
 * already built, with the reference checks the later parts make against them.
 */

import type { ConfigIssue, Locator } from './issues.ts';
import type {
  FirmwareRelease,
  ModelInfo,
  OptionValue,
  Parameters,
} from './model.ts';
import type { ApplianceYaml, OptionYaml } from './schema.ts';

export type YamlPath = (string | number)[];
type Report = (
  code: string,
  path: YamlPath,
  message: string,
  which?: 'key' | 'value',
) => void;

export interface BuildContext {
  readonly y: ApplianceYaml;
  readonly issues: ConfigIssue[];
  readonly error: Report;
  readonly warn: Report;
  readonly firmware: ReadonlyMap<string, FirmwareRelease>;
  readonly models: ReadonlyMap<string, ModelInfo>;
  /** A release name that must exist. */
  checkRelease(name: string | undefined, path: YamlPath): void;
  /** A model token that must be in the catalog (or appliance.yaml's models:). */
  checkModel(token: string, path: YamlPath, which?: 'key' | 'value'): void;
}

export function reporters(
  at: Locator,
  issues: ConfigIssue[],
): { error: Report; warn: Report } {
  return {
    error: (code, path, message, which = 'value') => {
      issues.push(at.issue('error', code, path, message, which));
    },
    warn: (code, path, message, which = 'value') => {
      issues.push(at.issue('warning', code, path, message, which));
    },
  };
}

export const paramsOf = (
  p: Record<string, string | number | boolean>,
): Parameters =>
  Object.freeze(
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [
        k,
        typeof v === 'boolean' ? (v ? '1' : '0') : String(v),
      ]),
    ),
  );

export const optionsOf = (o: OptionYaml[]): OptionValue[] =>
  o.map((x) => Object.freeze({ code: x.code, type: x.type, value: x.value }));
