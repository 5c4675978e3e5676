// RFC 6901 JSON pointers. Building pointers sits on the hot path of parsing (one per node),
// so escaping skips the regex work for the common token without `~` or `/`.

export function escapeToken(token: string): string {
  if (token.indexOf('~') === -1 && token.indexOf('/') === -1) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  if (token.indexOf('~') === -1) return token;
  // ~1 first, so that "~01" becomes "~1" and not "/" (RFC 6901, section 4).
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function joinPointer(parent: string, token: string | number): string {
  return `${parent}/${typeof token === 'number' ? String(token) : escapeToken(token)}`;
}

/**
 * The unescaped reference tokens of a pointer; '' is the root and has none. A pointer without
 * its leading '/' is read as if it had one, since callers never benefit from a throw.
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  const body = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  return body.split('/').map(unescapeToken);
}

/** The pointer one level up, or undefined for the root. */
export function parentPointer(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  const cut = pointer.lastIndexOf('/');
  return cut <= 0 ? '' : pointer.slice(0, cut);
}

export function pointerFromTokens(tokens: readonly (string | number)[]): string {
  let pointer = '';
  for (const token of tokens) pointer = joinPointer(pointer, token);
  return pointer;
}
