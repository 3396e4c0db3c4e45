/**
 * From an HTTP request target to the raw path handed to tree.normalize.
 *
 * Only the URL syntax is handled here: origin-form ("/a/b?q") or absolute-form ("http://host/a/b"), the
 * query dropped, the leading slash kept, percent-decoding applied exactly once (URL paths are percent-encoded by definition). No dot
 * segment is resolved and nothing is rejected for safety: the decoded text, "..", backslashes, NULs and any
 * left-over '%' included, goes to the tree, the one place path safety lives.
 */
import { err, ok, type Result } from '../shared/result.ts';

export function rawTreePath(target: string): Result<string, string> {
  let t = target;
  if (!t.startsWith('/')) {
    // absolute-form: scheme://authority/path
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(t);
    if (!m)
      return err('request target is neither origin-form nor absolute-form');
    t = m[1] === '' ? '/' : m[1]!;
    if (!t.startsWith('/')) t = `/${t}`;
  }
  const q = t.search(/[?#]/);
  if (q >= 0) t = t.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(t);
  } catch {
    return err('request path has an invalid percent-encoding');
  }
  // the leading "/" stays: the tree reads one leading slash as its root and refuses a second one
  return ok(decoded);
}
