/** Assertion helpers for codec Results in tests: the encoded bytes of an ok Result, or the error text. */
import assert from 'node:assert/strict';

/** The bytes of an ok Result as a plain array (fails the test on an error). */
export const okBytes = (r: {
  ok: boolean;
  value?: Uint8Array;
  error?: string;
}): number[] => {
  if (!r.ok) assert.fail(String(r.error));
  return Array.from(r.value!);
};

/** The error text of a Result, or 'ok'. */
export const errOf = (r: { ok: boolean; error?: string }): string =>
  r.ok ? 'ok' : r.error!;
