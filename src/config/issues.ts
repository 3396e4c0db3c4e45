/**
 * Configuration problems with file:line:col. An error refuses the whole file (nothing partial is served);
 * a warning is printed and the file is used.
 */
import { type Document, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ApplianceModel } from './model.ts';

export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  /** Stable code: CFG_SYNTAX, CFG_DUPLICATE_KEY, CFG_TYPE, CFG_UNKNOWN_KEY, CFG_REFERENCE, CFG_MAC, CFG_SUBNET, … */
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted path of the key in the YAML (sites.hq.pool). */
  readonly path: string;
  readonly message: string;
}

export const formatIssue = (i: ConfigIssue): string =>
  `${i.file}:${i.line}:${i.col} ${i.severity === 'warning' ? 'warning: ' : ''}${i.path ? `${i.path}: ` : ''}${i.message}`;

type PathKey = string | number;

/** A problem a check above the config layer finds in a built model; the loader gives it its file:line:col. */
export interface Finding {
  readonly severity: ConfigIssue['severity'];
  readonly code: string;
  readonly path: readonly PathKey[];
  readonly message: string;
  /** Locate the key itself (an unknown name) rather than its value; default the value. */
  readonly which?: 'key' | 'value';
}

/** A check the loader runs on every model it builds (policy/ passes its own: config imports nothing above). */
export type ModelCheck = (model: ApplianceModel) => readonly Finding[];

/** Finds the line and column of a path in the document: the deepest node that exists on the way there. */
export class Locator {
  private readonly text: string;
  private parsed: { doc: Document; lc: LineCounter } | undefined;
  readonly file: string;
  /** Positions need the slower position-keeping parser: it runs only when an issue must be located. */
  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  private get doc(): Document {
    return this.load().doc;
  }
  private get lc(): LineCounter {
    return this.load().lc;
  }
  private load(): { doc: Document; lc: LineCounter } {
    if (!this.parsed) {
      const lc = new LineCounter();
      this.parsed = {
        doc: parseDocument(this.text, { lineCounter: lc, uniqueKeys: true }),
        lc,
      };
    }
    return this.parsed;
  }

  position(
    full: readonly PathKey[],
    which: 'key' | 'value' = 'value',
  ): { line: number; col: number } {
    const path = this.asWritten(full);
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      if (which === 'key' && n === path.length && n > 0) {
        const pos = this.keyPosition(sub);
        if (pos) return pos;
      }
      const node =
        sub.length === 0 ? this.doc.contents : this.doc.getIn(sub, true);
      if (isNode(node) && node.range) return this.lc.linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /**
   * The path as the document writes it: a key the schema adds to a shorthand form (a list written where the
   * full form is a mapping with that list under the key, as `directory: [...]` for `directory: { entries }`)
   * is dropped, so the position is the entry's own.
   */
  private asWritten(path: readonly PathKey[]): readonly PathKey[] {
    const out: PathKey[] = [];
    for (const [i, k] of path.entries()) {
      const here =
        out.length === 0 ? this.doc.contents : this.doc.getIn(out, true);
      if (
        typeof k === 'string' &&
        typeof path[i + 1] === 'number' &&
        isSeq(here)
      )
        continue;
      out.push(k);
    }
    return out;
  }

  /** Position of the key itself (for unknown keys and references by key, like phones' MACs). */
  private keyPosition(
    path: readonly PathKey[],
  ): { line: number; col: number } | undefined {
    const parent =
      path.length === 1
        ? this.doc.contents
        : this.doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (!parent || typeof parent !== 'object' || !('items' in parent))
      return undefined;
    for (const item of (parent as { items: unknown[] }).items) {
      const key = (item as { key?: unknown }).key;
      if (
        isNode(key) &&
        key.range &&
        String((key as { value?: unknown }).value) === String(last)
      )
        return this.lc.linePos(key.range[0]);
    }
    return undefined;
  }

  issue(
    severity: ConfigIssue['severity'],
    code: string,
    path: readonly PathKey[],
    message: string,
    which: 'key' | 'value' = 'value',
  ): ConfigIssue {
    const { line, col } = this.position(path, which);
    return {
      severity,
      code,
      file: this.file,
      line,
      col,
      path: path.join('.'),
      message,
    };
  }
}
