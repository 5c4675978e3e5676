// jsonc-parser only names its error codes ("CommaExpected"); these say what to fix.
import { quoteExcerpt } from './problems.ts';

export interface JsonErrorContext {
  /** The offending source text. */
  excerpt: string;
  /** The next non-blank character after the offending text, '' at the end. */
  following: string;
  /** The error lies after the end of the top-level value. */
  afterValue: boolean;
  /** The innermost object or array around the error, if any. */
  container?: { type: 'object' | 'array'; line: number };
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

function invalidSymbol({ excerpt, following, afterValue }: JsonErrorContext): string {
  const quoted = quoteExcerpt(excerpt) ?? 'character';
  if (afterValue) return `Unexpected ${quoted} after the end of the JSON value`;
  if (excerpt.startsWith("'")) return `Unexpected ${quoted}: JSON strings must use double quotes`;
  if (IDENTIFIER.test(excerpt)) {
    if (following === ':') return `Property names must be double-quoted strings: ${quoted}`;
    return `Unexpected ${quoted}: expected a string, number, object, array, true, false or null`;
  }
  return `Unexpected ${quoted}`;
}

/** One readable line for a jsonc-parser error, given the name printParseErrorCode returns. */
export function humanizeJsonError(name: string, context: JsonErrorContext): string {
  const quoted = quoteExcerpt(context.excerpt);
  switch (name) {
    case 'InvalidSymbol':
      return invalidSymbol(context);
    case 'InvalidNumberFormat':
      return quoted === undefined ? 'Invalid number' : `Invalid number ${quoted}`;
    case 'PropertyNameExpected':
      return 'Expected a property name in double quotes';
    case 'ValueExpected':
      return 'Expected a value';
    case 'ColonExpected':
      return "Expected ':' after the property name";
    case 'CommaExpected':
      if (context.container?.type === 'array') return "Expected ',' or ']' after an array element";
      return "Expected ',' or '}' after a property value";
    case 'CloseBraceExpected':
      return context.container?.type === 'object'
        ? `Expected '}' to close the object that starts on line ${context.container.line}`
        : "Expected '}' to close the object";
    case 'CloseBracketExpected':
      return context.container?.type === 'array'
        ? `Expected ']' to close the array that starts on line ${context.container.line}`
        : "Expected ']' to close the array";
    case 'EndOfFileExpected':
      return 'Unexpected content after the end of the JSON value; a JSON file holds a single value';
    case 'InvalidCommentToken':
      return 'Comments are not allowed in JSON';
    case 'UnexpectedEndOfComment':
      return 'Unterminated comment (comments are not allowed in JSON)';
    case 'UnexpectedEndOfString':
      return 'Unterminated string: missing the closing double quote';
    case 'UnexpectedEndOfNumber':
      return quoted === undefined ? 'Incomplete number' : `Incomplete number ${quoted}`;
    case 'InvalidUnicode':
      return 'Invalid unicode escape: \\u must be followed by four hexadecimal digits';
    case 'InvalidEscapeCharacter':
      return 'Invalid escape sequence in string; valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX';
    case 'InvalidCharacter':
      return 'Control characters (such as tabs or line breaks) must be escaped in JSON strings';
    default:
      return 'Invalid JSON';
  }
}
