/** A value or a typed error, for code that must never throw (codecs, path checks, loaders). */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({
  ok: true,
  value,
});
export const err = <E>(error: E): { ok: false; error: E } => ({
  ok: false,
  error,
});
