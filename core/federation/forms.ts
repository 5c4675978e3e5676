// The forms of an HTML page, read as a person's browser would submit them: the IdP's sign-in
// form, and the self-submitting form a `response_mode=form_post` answer carries to the app.
// Pages here are small and machine-made; a tolerant scan of <form> and <input> is enough, and
// the text is already bounded by the user agent's body limit.

export interface HtmlForm {
  /** Absolute, resolved against the page's URL. */
  action: string;
  method: 'GET' | 'POST';
  /** Named inputs with their values, as they would be submitted. */
  fields: Record<string, string>;
}

const ATTRIBUTE = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
/** Inputs a submission never carries (buttons other than the one pressed, files). */
const NOT_SUBMITTED = new Set(['submit', 'button', 'reset', 'image', 'file']);
/** Sign-in and form_post pages are a few KiB; past this a page is not one of them. */
const MAX_SCANNED = 256 * 1024;

export function formsIn(html: string, pageUrl: string): HtmlForm[] {
  const text = html.length > MAX_SCANNED ? html.slice(0, MAX_SCANNED) : html;
  const lower = text.toLowerCase();
  const forms: HtmlForm[] = [];
  // indexOf scans, not backtracking patterns: each character is looked at a bounded number of
  // times whatever the markup (an unclosed tag repeated a million times included).
  for (let at = tagStart(lower, '<form', 0); at !== -1; ) {
    const open = tagEnd(lower, at);
    if (open === -1) break;
    const close = lower.indexOf('</form', open);
    const end = close === -1 ? text.length : close;
    const attributes = attributesOf(text.slice(at + 5, open));
    let action: string | undefined;
    try {
      action = new URL(attributes['action'] || pageUrl, pageUrl).href;
    } catch {
      action = undefined;
    }
    const fields: Record<string, string> = {};
    for (let i = tagStart(lower, '<input', open); i !== -1 && i < end; i = tagStart(lower, '<input', i + 6)) {
      const stop = tagEnd(lower, i);
      if (stop === -1 || stop > end) break;
      const input = attributesOf(text.slice(i + 6, stop));
      const name = input['name'];
      const type = (input['type'] ?? 'text').toLowerCase();
      if (!name || NOT_SUBMITTED.has(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in input)) continue;
      fields[name] = input['value'] ?? '';
    }
    if (action) forms.push({ action, method: attributes['method']?.toUpperCase() === 'POST' ? 'POST' : 'GET', fields });
    at = close === -1 ? -1 : tagStart(lower, '<form', close);
  }
  return forms;
}

/** The next `<name` that is a whole tag name (not `<formula`). */
function tagStart(lower: string, name: string, from: number): number {
  for (let i = lower.indexOf(name, from); i !== -1; i = lower.indexOf(name, i + 1)) {
    if (!/[a-z0-9-]/.test(lower[i + name.length] ?? '')) return i;
  }
  return -1;
}

/** The `>` closing the tag opened at `start`. */
function tagEnd(lower: string, start: number): number {
  return lower.indexOf('>', start);
}

function attributesOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name = '', double, single, bare] of text.matchAll(ATTRIBUTE)) {
    const key = name.toLowerCase();
    if (!(key in out)) out[key] = decodeEntities(double ?? single ?? bare ?? '');
  }
  return out;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? Number.parseInt(entity.slice(2), 16) : Number.parseInt(entity.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[entity.toLowerCase()] ?? whole;
  });
}
