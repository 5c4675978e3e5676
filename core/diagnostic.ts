// The one shape every problem takes, from a YAML syntax error to a failed semantic rule.
// Ranges are 0-based lines and UTF-16 character offsets, as LSP uses them; the CLI and the
// Action add 1 when they print.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** Machine-readable hints for quick fixes: what to put where. */
export interface DiagnosticData {
  /** Replacement texts for the diagnostic's range, best first (did-you-mean). */
  suggestions?: string[];
  /** A required property that is missing (for "add missing property"). */
  missingProperty?: string;
  /** A name that is referenced but not declared, and where it would be declared. */
  undeclared?: { kind: 'identity' | 'group' | 'variable'; name: string };
  /** The JSON pointer of the node the diagnostic is about. */
  pointer?: string;
}

export interface Diagnostic {
  range: Range;
  severity: Severity;
  /** Stable identifier of the rule, e.g. `unknown-identity`. Documented in the README. */
  code: string;
  message: string;
  data?: DiagnosticData;
}
