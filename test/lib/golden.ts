/**
 * Golden files never bless themselves: they are written only when UPDATE_GOLDEN=1 is set, and a missing one is
 * a failure that says how to create it after checking the change.
 */
import { existsSync, readFileSync } from 'node:fs';

export const updatingGolden = (): boolean => process.env.UPDATE_GOLDEN === '1';

/** The golden file's text; throws (fails the test) when it does not exist. */
export function readGolden(file: string): string {
  if (!existsSync(file))
    throw new Error(
      `golden file ${file} is missing: check the output, then run the test with UPDATE_GOLDEN=1`,
    );
  return readFileSync(file, 'utf8');
}
