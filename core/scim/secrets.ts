// Every secret a run handles is registered here as soon as it is known (resolved from the
// environment, fetched from a token endpoint), and every text that leaves the runner (evidence,
// reports, traces, terminal) passes through redact(). Redaction by value, not by field name,
// also catches a server that echoes the token back in an error body or a response header.
//
// A server rarely echoes a credential as it received it: a proxy percent-encodes it into a URL,
// a framework writes it into JSON with `\u` escapes, a debug header carries it in base64 or hex.
// So each secret is matched in every form a server can plausibly reflect: raw; percent-encoded
// (either hex case, `+` for space) and JSON-escaped, character by character, in any mix; base64
// and base64url at any alignment inside a longer encoded text; hex in either case.
export const REDACTED = '[REDACTED]';

/** Below this, a value would redact half the output and protect nothing. */
const MIN_SECRET = 4;
/** Encoded forms of shorter secrets are too short to tell from ordinary text. */
const MIN_ENCODED = 8;

export class SecretRegistry {
  readonly #secrets = new Set<string>();
  /** Exact strings that are credentials as they travel (basic auth's base64 of "user:password"). */
  readonly #literals = new Set<string>();
  #pattern: RegExp | undefined;
  #probe: RegExp | undefined;

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET || this.#secrets.has(secret)) return;
    this.#secrets.add(secret);
    this.#compile();
  }

  /** For basic auth: the credential as it travels, base64 of "user:password". */
  addBasic(username: string, password: string): void {
    this.add(password);
    const credential = `${username}:${password}`;
    this.#literals.add(Buffer.from(credential).toString('base64'));
    this.add(credential);
  }

  /** Every registered secret, raw (for a front end that masks them in its own log, as the Action does). */
  values(): string[] {
    return [...this.#secrets];
  }

  /** Whether a text carries any registered secret, in any of the forms redact() removes. */
  contains(text: string): boolean {
    return this.#probe?.test(text) === true;
  }

  redact(text: string): string {
    if (this.#pattern === undefined || !this.contains(text)) return text;
    return text.replace(this.#pattern, REDACTED);
  }

  /** As redactDeep, but returns the value itself (no copy) when it carries no secret. */
  redactDeepLazily<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return (this.contains(value) ? this.redact(value) : value) as T;
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) {
      const items = value.map((v) => this.redactDeepLazily(v, depth + 1));
      return (items.some((v, i) => v !== value[i]) ? items : value) as T;
    }
    let changed = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const key = this.redact(k);
      const r = this.redactDeepLazily(v, depth + 1);
      if (r !== v || key !== k) changed = true;
      return [key, r] as const;
    });
    return (changed ? Object.fromEntries(entries) : value) as T;
  }

  redactDeep<T>(value: T, depth = 0): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v, depth + 1)) as T;
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redact(k), this.redactDeep(v, depth + 1)])) as T;
    }
    return value;
  }

  get size(): number {
    return this.#secrets.size;
  }

  #compile(): void {
    const forms = new Set<string>();
    for (const literal of this.#literals) forms.add(escapeRegExp(literal));
    for (const secret of this.#secrets) for (const form of secretForms(secret)) forms.add(form);
    // Longest first, so a secret containing another is replaced whole.
    const source = [...forms].sort((a, b) => b.length - a.length).join('|');
    this.#pattern = new RegExp(source, 'g');
    this.#probe = new RegExp(source);
  }
}

/** Values nested deeper than this are left to the evidence bounds (core/scim/bounded.ts) to cut. */
const MAX_DEPTH = 200;

/** Regular-expression sources matching one secret in each form it can be reflected in. */
export function secretForms(secret: string): string[] {
  const forms = [[...secret].map(characterForms).join('')];
  const bytes = Buffer.from(secret, 'utf8');
  if (bytes.length >= MIN_ENCODED) {
    forms.push(caseInsensitive(bytes.toString('hex')));
    for (const alphabet of ['base64', 'base64url'] as const) {
      // The secret encoded on its own, padding and all; then as part of a longer encoded text.
      forms.push(`${escapeRegExp(bytes.toString(alphabet).replace(/=+$/, ''))}=*`);
      for (const core of base64Cores(bytes, alphabet)) forms.push(escapeRegExp(core));
    }
  }
  return forms;
}

/** One character as itself, percent-encoded (UTF-8, either hex case), or JSON-escaped. */
function characterForms(character: string): string {
  const alternatives = new Set<string>([escapeRegExp(character)]);
  const percent = [...Buffer.from(character, 'utf8')].map((b) => `%${caseInsensitive(hex2(b))}`).join('');
  alternatives.add(percent);
  const units = [...Array(character.length).keys()].map((i) => character.charCodeAt(i));
  alternatives.add(units.map((u) => `\\\\u${caseInsensitive(u.toString(16).padStart(4, '0'))}`).join(''));
  const short = JSON_SHORT_ESCAPES[character];
  if (short) alternatives.add(escapeRegExp(short));
  if (character === ' ') alternatives.add('\\+');
  return alternatives.size === 1 ? [...alternatives][0]! : `(?:${[...alternatives].join('|')})`;
}

const JSON_SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * The part of the secret's base64 that is the same wherever it starts inside a longer encoded
 * text: for each of the three byte alignments, the characters whose six bits all come from the
 * secret. A debug header that base64s "Bearer <token>" carries one of these.
 */
function base64Cores(bytes: Buffer, alphabet: 'base64' | 'base64url'): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString(alphabet)
      .replace(/=+$/, '');
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length)) / 6); // exclusive
    const core = encoded.slice(first, last);
    if (core.length >= MIN_ENCODED) cores.push(core);
  }
  return cores;
}

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function caseInsensitive(hex: string): string {
  return hex.replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
