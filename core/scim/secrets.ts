// Every secret a run handles is registered here as soon as it is known (resolved from the
// environment, fetched from a token endpoint), and every text that leaves the runner (evidence,
// reports, traces, terminal) passes through redact(). Redaction by value, not by field name,
// also catches a server that echoes the token back in an error body.
export const REDACTED = '[REDACTED]';

export class SecretRegistry {
  readonly #secrets = new Set<string>();
  /** Longest first, so a secret containing another is replaced whole. */
  #ordered: string[] = [];

  add(secret: string | undefined): void {
    // Very short values would redact half the output and protect nothing.
    if (secret && secret.length >= 4) {
      this.#secrets.add(secret);
      const basic = Buffer.from(secret).toString('base64');
      if (basic.length >= 8) this.#secrets.add(basic);
      this.#order();
    }
  }

  #order(): void {
    this.#ordered = [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** For basic auth: the credential as it travels, base64 of "user:password". */
  addBasic(username: string, password: string): void {
    this.add(password);
    this.#secrets.add(Buffer.from(`${username}:${password}`).toString('base64'));
    this.#order();
  }

  /** Whether a text carries any registered secret (as it is, or base64 as basic auth sends it). */
  contains(text: string): boolean {
    for (const secret of this.#ordered) if (text.includes(secret)) return true;
    return false;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#ordered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** As redactDeep, but returns the value itself (no copy) when it carries no secret. */
  redactDeepLazily<T>(value: T): T {
    if (typeof value === 'string') return (this.contains(value) ? this.redact(value) : value) as T;
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      const items = value.map((v) => this.redactDeepLazily(v));
      return (items.some((v, i) => v !== value[i]) ? items : value) as T;
    }
    let changed = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const r = this.redactDeepLazily(v);
      if (r !== v) changed = true;
      return [k, r] as const;
    });
    return (changed ? Object.fromEntries(entries) : value) as T;
  }

  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    }
    return value;
  }

  get size(): number {
    return this.#secrets.size;
  }
}
