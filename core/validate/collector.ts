import type { Diagnostic, DiagnosticData, Range, Severity } from '../diagnostic.ts';
import type { ParsedDocument, Span } from '../document/types.ts';
import { lineAt, positionAt } from '../document/position.ts';

export type Part = 'key' | 'value' | 'parent-key';

/** Collects diagnostics for one document, turning pointers and spans into ranges. */
export class DiagnosticCollector {
  readonly diagnostics: Diagnostic[] = [];
  readonly doc: ParsedDocument;

  constructor(doc: ParsedDocument) {
    this.doc = doc;
  }

  at(pointer: string, part: Part, severity: Severity, code: string, message: string, data?: DiagnosticData): void {
    this.push(this.spanOf(pointer, part), severity, code, message, data);
  }

  atSpan(span: Span, severity: Severity, code: string, message: string, data?: DiagnosticData): void {
    this.push(span, severity, code, message, data);
  }

  /** The span a diagnostic about this node should underline. */
  spanOf(pointer: string, part: Part): Span {
    const { locations } = this.doc;
    let at = pointer;
    let location = locations.get(at);
    // A missing node (e.g. `required`) is reported on its nearest ancestor.
    while (!location && at !== '') {
      at = at.slice(0, at.lastIndexOf('/'));
      location = locations.get(at);
      part = 'parent-key';
    }
    if (!location) return { start: 0, end: 0 };
    if ((part === 'key' || part === 'parent-key') && location.key) return location.key;
    if (part === 'parent-key' && at === '') {
      // The root has no key: point at its first key, the top of the file.
      for (const [p, l] of locations) if (p !== '' && !p.slice(1).includes('/') && l.key) return l.key;
      return { start: 0, end: 0 };
    }
    return this.firstLine(location.value);
  }

  /** Multi-line values are underlined on their first line only: a squiggle over 40 lines helps nobody. */
  private firstLine(span: Span): Span {
    const text = this.doc.text;
    let end = span.end;
    const newline = this.newlineBefore(span.start, end);
    if (newline >= 0) end = newline > span.start && text[newline - 1] === '\r' ? newline - 1 : newline;
    return { start: span.start, end: Math.max(end, span.start) };
  }

  /**
   * The first "\n" in [start, end), or -1. Found from the line starts rather than by searching
   * the text, which on a long line (a minified JSON spec) costs the rest of the line per diagnostic.
   */
  private newlineBefore(start: number, end: number): number {
    const { text, lineStarts } = this.doc;
    // Every "\n" ends a line, so it sits just before a line start (a lone "\r" also ends one).
    for (let line = lineAt(lineStarts, start) + 1; line < lineStarts.length; line++) {
      const at = lineStarts[line]! - 1;
      if (at >= end) return -1;
      if (at >= start && text.charCodeAt(at) === 10) return at;
    }
    return -1;
  }

  private push(span: Span, severity: Severity, code: string, message: string, data?: DiagnosticData): void {
    const range: Range = { start: positionAt(this.doc.lineStarts, span.start), end: positionAt(this.doc.lineStarts, span.end) };
    const diagnostic: Diagnostic = { range, severity, code, message };
    if (data && Object.keys(data).length > 0) diagnostic.data = data;
    this.diagnostics.push(diagnostic);
  }
}
