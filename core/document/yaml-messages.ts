// The yaml package's messages name its internal CST token types ("map-value-ind",
// "flow-seq-end") and sometimes append the raw source; authors of specs should not need to know
// the lexer to read them.
import { quote, quoteExcerpt } from './problems.ts';

const TOKEN_NAMES: Record<string, string> = {
  'byte-order-mark': 'byte order mark',
  'doc-mode': 'document',
  'doc-start': '"---"',
  'doc-end': '"..."',
  space: 'whitespace',
  comment: 'comment',
  newline: 'line break',
  'directive-line': 'directive',
  directive: 'directive',
  anchor: 'anchor',
  tag: 'tag',
  'seq-item-ind': '"-"',
  'block-seq-ind': '"-"',
  'explicit-key-ind': '"?"',
  'map-value-ind': '":"',
  'flow-map-start': '"{"',
  'flow-map-end': '"}"',
  'flow-seq-start': '"["',
  'flow-seq-end': '"]"',
  'flow-error-end': 'end of an unclosed flow collection',
  comma: '","',
  alias: 'alias',
  scalar: 'value',
  'single-quoted-scalar': 'quoted string',
  'double-quoted-scalar': 'quoted string',
  'block-scalar': 'block scalar',
  'block-map': 'mapping',
  'block-seq': 'sequence',
  'flow-collection': 'flow collection',
  document: 'document',
  error: 'content',
};

/** Token types whose name already shows the character, or that have no text of their own. */
const NO_EXCERPT = new Set([
  ...Object.keys(TOKEN_NAMES).filter((type) => TOKEN_NAMES[type]?.startsWith('"')),
  'flow-error-end',
  'doc-mode',
  'byte-order-mark',
  'newline',
  'space',
]);

const TOKEN_PATTERN = new RegExp(
  `\\b(${Object.keys(TOKEN_NAMES)
    .filter((type) => type.includes('-'))
    .join('|')})\\b`,
  'g',
);

function describeToken(type: string, excerpt: string): string {
  const name = TOKEN_NAMES[type];
  if (name === undefined) return quoteExcerpt(excerpt) ?? 'content';
  if (NO_EXCERPT.has(type)) return name;
  const quoted = quoteExcerpt(excerpt);
  return quoted === undefined ? name : `${name} ${quoted}`;
}

const UNCLOSED_FLOW = 'Unclosed flow collection: a closing "]" or "}" is missing';

const REWRITES: [RegExp, (excerpt: string, ...groups: string[]) => string][] = [
  // The lexer's zero-width marker for a flow collection cut off by a less indented line.
  [/^Unexpected flow-error-end\b/, () => UNCLOSED_FLOW],
  [/^Unexpected ([\w-]+) token in YAML (?:stream|document)(?::[\s\S]*)?$/, (x, type = '') => `Unexpected ${describeToken(type, x)}`],
  [
    /^Unexpected ([\w-]+) at node end$/,
    (x, type = '') => `Unexpected ${describeToken(type, x)} after the end of the preceding node (check the indentation)`,
  ],
  [/^Unexpected ([\w-]+) token$/, (x, type = '') => `Unexpected ${describeToken(type, x)}`],
  [/^Unsupported token(?: \(type: ([\w-]+)\)| ([\w-]+))$/, (x, a, b) => `Unexpected ${describeToken(a || b || '', x)}`],
  [
    /^Unexpected block-seq-ind on same line with key$/,
    () => 'A sequence cannot start on the same line as its mapping key; put the "-" items on the following lines',
  ],
  [
    /^Unexpected token in block scalar header: ([\w-]+)$/,
    (x, type = '') => `Unexpected ${describeToken(type, x)} in the block scalar header`,
  ],
  [/^Unexpected doc-end without preceding document$/, () => 'Unexpected document end marker "..." without a preceding document'],
  [
    /^Unexpected (\S+) in (flow map|flow sequence|collection)$/,
    (_x, what = '', where = '') => {
      const shown = TOKEN_NAMES[what] !== undefined ? describeToken(what, '') : quote(what);
      return `Unexpected ${shown} in ${where}`;
    },
  ],
  [/^Not a YAML token: [\s\S]*$/, (x) => `Unexpected ${quoteExcerpt(x) ?? 'characters'}`],
  [/^Tried to pop an empty stack$/, () => 'Unexpected content'],
  [/^Missing closing "quote$/, () => 'Missing closing " quote'],
  [/^Missing closing 'quote$/, () => "Missing closing ' quote"],
  [
    /^Block scalar header includes extra characters: ([\s\S]*)$/,
    (_x, header = '') => `Unexpected characters in the block scalar header ${quote(header)}`,
  ],
  [/^Missing , between (.+)$/, (_x, where = '') => `Missing "," between ${where}`],
  [/^Missing , or : between (.+)$/, (_x, where = '') => `Missing "," or ":" between ${where}`],
  [/^Sequence item without - indicator$/, () => 'Sequence item without a "-" indicator'],
  [
    /^Plain value cannot start with (.*?) ?(\S)$/,
    (_x, what = '', ch = '') => `An unquoted value cannot start with the ${what} ${quote(ch)}; put the value in quotes`,
  ],
  [/^Invalid escape sequence (.+)$/, (_x, seq = '') => `Invalid escape sequence ${quote(seq)} in a double-quoted string`],
  [/^Unresolved tag: (.+)$/, (_x, tag = '') => `Unknown tag ${quote(tag.replace(/^tag:yaml\.org,2002:/, '!!'))} is ignored`],
  [/^(Alias|Anchor) ending in : is ambiguous$/, (_x, what = '') => `${what} ending in ":" is ambiguous`],
  [/^(.*) end with an? ([\]}])$/, (_x, head = '', closer = '') => `${head} end with "${closer}"`],
  [/^Implicit map keys need to be followed by map values$/, () => 'Expected ":" after this mapping key'],
  [/^Implicit keys need to be on a single line$/, () => 'A mapping key must be on a single line'],
  [
    /^Nested mappings are not allowed in compact mappings$/,
    () => 'A nested mapping cannot start on the same line as its key; move it to the next line, or quote the value if it contains ": "',
  ],
];

/**
 * One readable line for a yaml package error. `excerpt` is the source text the error points at,
 * used to show the offending characters.
 */
export function humanizeYamlMessage(code: string, message: string, excerpt: string): string {
  if (code === 'RESOURCE_EXHAUSTION') return 'The document is nested too deeply to parse';
  let text = message;
  for (const [pattern, rewrite] of REWRITES) {
    const match = pattern.exec(message);
    if (match) {
      text = rewrite(excerpt, ...match.slice(1).map((group) => group ?? ''));
      break;
    }
  }
  text = text
    .replace(/tag:yaml\.org,2002:/g, '!!')
    .replace(TOKEN_PATTERN, (type) => TOKEN_NAMES[type] ?? type)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '');
  if (text === '') return 'Invalid YAML';
  return text[0]?.toUpperCase() + text.slice(1);
}
