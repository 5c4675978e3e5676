// Which documents are specs, and one parse + validation per document version, shared by every
// feature that asks.
import { parseDocument, detectFormat, reparse, type ParsedDocument } from '../../core/document/index.ts';
import { validateDocument, type ValidationResult } from '../../core/validate/index.ts';

/** A *.provspec.* file, or any YAML/JSON whose `$schema` or modeline names the provspec schema. */
export function isSpecDocument(uri: string, text: string): boolean {
  if (/\.provspec\.(ya?ml|json)$/i.test(uri)) return true;
  const head = text.slice(0, 4096);
  return /provspec\.schema\.json/.test(head) && /(\$schema|yaml-language-server)/.test(head);
}

/** An offset as the service functions take it: an integer in [0, length] (NaN and -1 are 0). */
export function clampOffset(offset: number, length: number): number {
  if (!Number.isFinite(offset) || offset <= 0) return offset === Number.POSITIVE_INFINITY ? length : 0;
  return Math.min(Math.floor(offset), length);
}

/**
 * The offset of a position a client sent. LSP positions are unsigned integers, but nothing checks
 * that: a line or character that is not a finite number counts as 0 and a fraction is cut off,
 * so the document (which would answer NaN for line 2.5) is asked only for integers.
 */
export function offsetOfPosition(document: { offsetAt(position: { line: number; character: number }): number }, position: unknown): number {
  const p = (typeof position === 'object' && position !== null ? position : {}) as { line?: unknown; character?: unknown };
  const whole = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0);
  return document.offsetAt({ line: whole(p.line), character: whole(p.character) });
}

export function formatOf(uri: string, languageId: string): 'yaml' | 'json' {
  if (languageId === 'json' || languageId === 'jsonc' || languageId === 'provspec-json') return 'json';
  if (languageId === 'yaml' || languageId === 'provspec') return 'yaml';
  return detectFormat(uri);
}

interface Entry {
  version: number;
  document: ParsedDocument;
  validation?: ValidationResult;
}

export class DocumentCache {
  readonly #entries = new Map<string, Entry>();

  parsed(uri: string, version: number, text: string, format: 'yaml' | 'json'): ParsedDocument {
    const entry = this.#entries.get(uri);
    if (entry && entry.version === version) return entry.document;
    // Typing in a value patches the previous parse instead of re-reading the whole file.
    const document = entry && entry.document.format === format ? reparse(entry.document, text, uri) : parseDocument(text, uri, format);
    this.#entries.set(uri, { version, document });
    return document;
  }

  validated(uri: string, version: number, text: string, format: 'yaml' | 'json'): ValidationResult {
    const document = this.parsed(uri, version, text, format);
    const entry = this.#entries.get(uri)!;
    entry.validation ??= validateDocument(document);
    return entry.validation;
  }

  forget(uri: string): void {
    this.#entries.delete(uri);
  }
}
