// SCIM attribute paths (mapping targets, expectations, negative cases) against RFC 7643 and
// the spec's own extensions; and identities that lack what the mapping reads.
import { joinPointer } from '../../document/pointer.ts';
import { resolveAttributePath } from '../../scim-schema/resolve.ts';
import { CORE_USER, ENTERPRISE_USER } from '../../scim-schema/definitions.ts';
import { extensionSchemas } from '../../scim-schema/extensions.ts';
import { stepKind } from '../../spec/types.ts';
import { arr, entries, innerSpan, obj, str, type RuleContext } from '../context.ts';
import { findExpressions } from '../../expressions/parse.ts';

const USER_URN = CORE_USER.id;

export function checkMapping(ctx: RuleContext): void {
  const schemas = [CORE_USER, ENTERPRISE_USER, ...extensionSchemas(obj(ctx.spec['extensions']), 'User')];
  const mapping = obj(ctx.spec['mapping']);

  /** Resolves a path written as a key (or, for `without`, as a value) and reports what is wrong. */
  const checkPath = (pointer: string, path: string, part: 'key' | 'value', purpose: 'write' | 'read') => {
    const location = ctx.doc.locations.get(pointer);
    const span = part === 'key' ? location?.key : location?.value;
    const result = resolveAttributePath(path, schemas, USER_URN);
    if (!result.ok) {
      const sub = span ? innerSpan(ctx.doc, span, path, result.start, result.end) : undefined;
      const replacements = rangeReplacements(path, result.start, result.end, result.fixes);
      const data = { pointer, ...(replacements.length ? { suggestions: replacements } : {}) };
      if (sub) ctx.report.atSpan(sub, 'error', result.code, result.message, data);
      else ctx.report.at(pointer, part, 'error', result.code, result.message, data);
      return undefined;
    }
    if (purpose === 'write' && result.attribute.mutability === 'readOnly') {
      ctx.report.at(
        pointer,
        part,
        'error',
        'read-only-attribute',
        `"${path}" is read-only (RFC 7643): the server sets it and ignores what a client ` +
          `sends.${result.attribute.name === 'groups' ? ' Group membership is written through /Groups: use role rules.' : ''}`,
      );
    }
    return result;
  };

  if (mapping) {
    const seen = new Map<string, string>();
    for (const [path] of Object.entries(mapping)) {
      const pointer = joinPointer('/mapping', path);
      const result = checkPath(pointer, path, 'key', 'write');
      if (!result) continue;
      // Attribute names are case-insensitive and the core URN prefix is optional: one attribute, one mapping.
      const canonical = canonicalPath(path);
      const first = seen.get(canonical);
      if (first !== undefined) {
        ctx.report.at(pointer, 'key', 'error', 'duplicate-mapping', `"${path}" maps the same SCIM attribute as "${first}".`);
      } else seen.set(canonical, path);
    }
    if (![...seen.keys()].includes('username')) {
      ctx.report.at(
        '/mapping',
        'key',
        'error',
        'missing-username-mapping',
        'The mapping has no userName: every SCIM user needs one (RFC 7643 §4.1). Map it, e.g. userName: ${{ identity.email }}.',
        { missingProperty: 'userName' },
      );
    }
    checkIdentitiesHaveMappedAttributes(ctx, mapping);
  }

  for (const [name, scenario] of entries(ctx.spec['lifecycle'])) {
    arr(obj(scenario)?.['steps']).forEach((step, i) => {
      const kind = stepKind(step);
      const at = joinPointer(joinPointer(joinPointer('/lifecycle', name), 'steps'), i);
      let expect: unknown;
      let base = '';
      if (kind === 'expect') {
        expect = obj(step)?.['expect'];
        base = joinPointer(at, 'expect');
      }
      if (kind === 'eventually') {
        expect = obj(obj(step)?.['eventually'])?.['expect'];
        base = joinPointer(joinPointer(at, 'eventually'), 'expect');
      }
      for (const [path] of entries(obj(expect)?.['attributes']))
        checkPath(joinPointer(joinPointer(base, 'attributes'), path), path, 'key', 'read');
    });
  }
  for (const [name, negative] of entries(ctx.spec['negative'])) {
    const base = joinPointer('/negative', name);
    arr(obj(negative)?.['without']).forEach((path, i) => {
      if (typeof path === 'string') checkPath(joinPointer(joinPointer(base, 'without'), i), path, 'value', 'read');
    });
    // `set` may write invalid things on purpose, but the attribute itself must exist.
    for (const [path] of entries(obj(negative)?.['set'])) checkPath(joinPointer(joinPointer(base, 'set'), path), path, 'key', 'read');
  }
}

/** Quick fixes replace the diagnostic's range: turn each edit of the path into the text for that range. */
function rangeReplacements(
  path: string,
  start: number,
  end: number,
  fixes: ReadonlyArray<{ start: number; end: number; text: string }>,
): string[] {
  const out: string[] = [];
  for (const fix of fixes) {
    if (fix.start < start || fix.end > end) continue;
    out.push(path.slice(start, fix.start) + fix.text + path.slice(fix.end, end));
  }
  return out;
}

function canonicalPath(path: string): string {
  return path.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:user:/, '');
}

/** An identity without an attribute the mapping reads would be provisioned with a hole. */
function checkIdentitiesHaveMappedAttributes(ctx: RuleContext, mapping: Record<string, unknown>): void {
  for (const [path, rule] of Object.entries(mapping)) {
    const text = str(rule) ?? str(obj(rule)?.['value']);
    if (!text) continue;
    for (const e of findExpressions(text)) {
      const attribute = e.namespace === 'identity' ? e.path[0] : undefined;
      if (!attribute || !ctx.identityAttributes.has(attribute)) continue; // unknown ones are reported elsewhere
      for (const [name, identity] of entries(ctx.spec['identities'])) {
        const o = obj(identity);
        if (!o || (attribute in o && o[attribute] !== null)) continue;
        const isUserName = canonicalPath(path) === 'username';
        ctx.report.at(
          joinPointer('/identities', name),
          'key',
          isUserName ? 'error' : 'warning',
          'missing-identity-attribute',
          `Identity "${name}" has no "${attribute}", which the mapping sends ` +
            `as ${path}${isUserName ? ': it could not be provisioned' : ': it would be provisioned without it'}.`,
          { missingProperty: attribute },
        );
      }
    }
  }
}
