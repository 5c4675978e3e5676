import type { Diagnostic, DiagnosticData, Range, Severity } from '../diagnostic.ts';
import type { ParsedDocument, Span } from '../document/types.ts';
import { positionAt } from '../document/position.ts';
import { spanAtPointer, type Part } from '../document/range.ts';

export type { Part };

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

  /** The span a diagnostic about this node should underline (core/document/range.ts). */
  spanOf(pointer: string, part: Part): Span {
    return spanAtPointer(this.doc, pointer, part);
  }

  private push(span: Span, severity: Severity, code: string, message: string, data?: DiagnosticData): void {
    const range: Range = { start: positionAt(this.doc.lineStarts, span.start), end: positionAt(this.doc.lineStarts, span.end) };
    const diagnostic: Diagnostic = { range, severity, code, message };
    if (data && Object.keys(data).length > 0) diagnostic.data = data;
    this.diagnostics.push(diagnostic);
  }
}
