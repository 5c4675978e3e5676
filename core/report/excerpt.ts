// A long body shown short, but around what the check compared: a 409's "detail", the attribute
// that was dropped, the email that collided. A fixed cut at the start would hide exactly that.

/** Characters of a focus term's value that must fit for the plain cut from the start to do. */
const VALUE_ROOM = 60;

/** `text` on one line, at most about `max` characters, around the first focus term it contains. */
export function excerpt(text: string, max: number, focus: readonly string[] = []): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  if (flat.length <= max) return flat;
  let at = -1;
  for (const term of focus) {
    if (!term) continue;
    const quoted = flat.indexOf(`"${term}"`);
    at = quoted >= 0 ? quoted : flat.indexOf(term);
    if (at >= 0) break;
  }
  if (at < 0 || at + VALUE_ROOM <= max) return `${flat.slice(0, max)}…`;
  // Start a third of the window before the term, so what follows it (its value) is shown.
  const start = Math.max(0, Math.min(at - Math.floor(max / 3), flat.length - max));
  const end = Math.min(flat.length, start + max);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`;
}
