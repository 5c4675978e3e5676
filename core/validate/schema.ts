// JSON Schema validation, with ajv's errors turned into one located message per mistake.
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { compileSchemaValidator } from './compile-schema.ts';
import provspecSchema from '../../schemas/provspec.schema.json' with { type: 'json' };
import type { Diagnostic } from '../diagnostic.ts';
import { DELIVERY_FAULTS, STEP_KINDS } from '../spec/types.ts';
import type { ParsedDocument } from '../document/types.ts';
import { joinPointer, parentPointer } from '../document/pointer.ts';
import { describePointer, describeTypes, quote, typeOfValue } from './describe.ts';
import { didYouMean, suggest } from './suggest.ts';
import type { DiagnosticCollector } from './collector.ts';

export const SCHEMA = provspecSchema as Record<string, unknown>;

let compiled: ValidateFunction | undefined;

/** Compiled on first use and kept: compiling costs far more than validating. */
function validator(): ValidateFunction {
  compiled ??= compileSchemaValidator();
  return compiled;
}

interface Located {
  pointer: string;
  part: 'key' | 'value' | 'parent-key';
  code: string;
  message: string;
  severity?: 'error' | 'warning';
  suggestions?: string[];
  missingProperty?: string;
}

export function schemaDiagnostics(doc: ParsedDocument, report: DiagnosticCollector): void {
  const validate = validator();
  if (validate(doc.value)) return;
  const errors = pruneAlternatives(validate.errors ?? [], doc.value);
  const seen = new Set<string>();
  const located: Located[] = [];
  for (const error of errors) {
    const item = locate(error);
    if (!item) continue;
    const key = `${item.pointer}|${item.part}|${item.code}`;
    if (seen.has(key)) continue;
    seen.add(key);
    located.push(item);
  }
  // A wrong type makes every other complaint about the same value noise.
  const typed = new Set(located.filter((l) => l.code === 'invalid-type').map((l) => l.pointer));
  // A misspelt required key ("baseURL") is one mistake: its did-you-mean already names the missing one.
  const misspelt = new Set(
    located
      .filter((l) => l.code === 'unknown-property')
      .flatMap((l) => (l.suggestions ?? []).map((s) => `${parentPointer(l.pointer) ?? ''}|${s}`)),
  );
  for (const item of located) {
    if (item.code !== 'invalid-type' && item.part === 'value' && typed.has(item.pointer)) continue;
    if (item.code === 'missing-property' && misspelt.has(`${item.pointer}|${item.missingProperty}`)) continue;
    const data: Diagnostic['data'] = { pointer: item.pointer };
    if (item.suggestions?.length) data.suggestions = item.suggestions;
    if (item.missingProperty) data.missingProperty = item.missingProperty;
    report.at(item.pointer, item.part, item.severity ?? 'error', item.code, item.message, data);
  }
}

/**
 * For `oneOf`/`anyOf`, keep only the errors of the branch whose type fits the data
 * (the user meant that one), or a single type error when none fits; `if` errors only say
 * that `then`/`else` failed, which their own errors already tell.
 */
function pruneAlternatives(errors: ErrorObject[], root: unknown): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  const replacements: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') drop.add(error);
    if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') continue;
    drop.add(error);
    const branches = (error.schema as Array<Record<string, unknown>>) ?? [];
    const data = valueAt(root, error.instancePath);
    const fitting = branches.findIndex((b) => typeFits(b['type'], data));
    const prefix = `${error.schemaPath}/`;
    for (const other of errors) {
      if (!other.schemaPath.startsWith(prefix)) continue;
      const branch = Number(other.schemaPath.slice(prefix.length).split('/')[0]);
      if (fitting < 0 || branch !== fitting) drop.add(other);
    }
    if (fitting < 0) {
      const types = [...new Set(branches.flatMap((b) => (Array.isArray(b['type']) ? b['type'] : [b['type']])).filter(Boolean))] as string[];
      replacements.push({ ...error, keyword: 'type', params: { type: types }, data });
    }
  }
  return [...errors.filter((e) => !drop.has(e)), ...replacements];
}

function typeFits(type: unknown, data: unknown): boolean {
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => {
    switch (t) {
      case 'integer':
        return Number.isInteger(data);
      case 'number':
        return typeof data === 'number';
      case 'string':
        return typeof data === 'string';
      case 'boolean':
        return typeof data === 'boolean';
      case 'null':
        return data === null;
      case 'array':
        return Array.isArray(data);
      case 'object':
        return typeof data === 'object' && data !== null && !Array.isArray(data);
      default:
        return false;
    }
  });
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

function locate(error: ErrorObject): Located | undefined {
  const at = error.instancePath;
  const where = describePointer(at);
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;

  // Errors about a property name (propertyNames) belong on that key.
  if (error.propertyName !== undefined && error.keyword !== 'propertyNames') {
    const pointer = joinPointer(at, error.propertyName);
    const description = typeof parent['description'] === 'string' ? ` ${parent['description']}` : '';
    return { pointer, part: 'key', code: 'invalid-name', message: `Invalid name ${quote(error.propertyName)} in ${where}.${description}` };
  }

  switch (error.keyword) {
    case 'propertyNames':
      return undefined; // its inner error (above) is the precise one
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const allowed = Object.keys((parent['properties'] as Record<string, unknown> | undefined) ?? {});
      const suggestions = suggest(name, allowed);
      const list = allowed.length && allowed.length <= 12 && suggestions.length === 0 ? ` Allowed here: ${allowed.join(', ')}.` : '';
      const isStep = allowed.includes('eventually') && allowed.includes('provision');
      const what = isStep ? `Unknown step "${name}"` : `Unknown property "${name}" in ${where}`;
      return {
        pointer: joinPointer(at, name),
        part: 'key',
        code: 'unknown-property',
        message: `${what}.${didYouMean(suggestions)}${list}`,
        suggestions,
      };
    }
    case 'required': {
      const name = String(params['missingProperty']);
      const description = describeProperty(parent, name);
      return {
        pointer: at,
        part: 'parent-key',
        code: 'missing-property',
        message: `Missing required property "${name}" in ${where}.${description}`,
        missingProperty: name,
      };
    }
    case 'type':
      return {
        pointer: at,
        part: 'value',
        code: 'invalid-type',
        message: `${where} must be ${describeTypes(params['type'] as string | string[])}, not ${typeOfValue(error.data)}.`,
      };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]) ?? [];
      const suggestions =
        typeof error.data === 'string'
          ? suggest(
              error.data,
              allowed.filter((a): a is string => typeof a === 'string'),
            )
          : [];
      // The short form of a step (`- deactivate`): say so, as the object form's "Unknown step" does.
      const isStep = allowed.includes('provision') && allowed.includes('deprovision') && typeof error.data === 'string';
      if (isStep && (STEP_KINDS as readonly string[]).includes(error.data as string)) {
        return {
          pointer: at,
          part: 'value',
          code: 'invalid-value',
          message: `The step "${String(error.data)}" needs a value: write it as \`${String(error.data)}: …\`.`,
        };
      }
      const what = isStep ? `Unknown step ${quote(error.data)}` : `${quote(error.data)} is not allowed for ${where}`;
      return {
        pointer: at,
        part: 'value',
        code: 'invalid-value',
        message: `${what}.${didYouMean(suggestions)} Expected one of: ${allowed.map((a) => String(a)).join(', ')}.`,
        suggestions,
      };
    }
    case 'const':
      return {
        pointer: at,
        part: 'value',
        code: 'invalid-value',
        message: `${where} must be ${quote(params['allowedValue'])}, not ${quote(error.data)}.`,
        suggestions: [JSON.stringify(params['allowedValue'])],
      };
    case 'pattern': {
      const description = typeof parent['description'] === 'string' ? ` ${parent['description']}` : '';
      return {
        pointer: at,
        part: 'value',
        code: 'invalid-value',
        message: `Invalid value ${quote(error.data)} for ${where}.${description}`,
      };
    }
    case 'minProperties':
    case 'maxProperties':
      return objectSize(error, where);
    case 'minItems':
      return {
        pointer: at,
        part: 'value',
        code: 'invalid-value',
        message: `${where} needs at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}.`,
      };
    case 'maxItems':
      return { pointer: at, part: 'value', code: 'invalid-value', message: `${where} allows at most ${String(params['limit'])} items.` };
    case 'uniqueItems':
      return {
        pointer: joinPointer(at, Number(params['i'])),
        part: 'value',
        code: 'duplicate-item',
        message: `Item ${Number(params['i']) + 1} of ${where} repeats item ${Number(params['j']) + 1}.`,
      };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer: at,
        part: 'value',
        code: 'invalid-value',
        message: `${where} must be ${String(params['comparison'])} ${String(params['limit'])}, not ${quote(error.data)}.`,
      };
    case 'minLength':
      return { pointer: at, part: 'value', code: 'invalid-value', message: `${where} must not be empty.` };
    default:
      return { pointer: at, part: 'value', code: 'invalid-value', message: `${where} ${error.message ?? 'is invalid'}.` };
  }
}

function objectSize(error: ErrorObject, where: string): Located {
  const params = error.params as Record<string, unknown>;
  const data = error.data as Record<string, unknown> | null;
  const keys = data && typeof data === 'object' ? Object.keys(data) : [];
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  const properties = parent['properties'] as Record<string, unknown> | undefined;
  const isStep = parent['minProperties'] === 1 && properties !== undefined && 'provision' in properties && 'deprovision' in properties;
  if (error.keyword === 'maxProperties' && isStep) {
    // One step per list item: point at the first key too many.
    const extra = stepKeyTooMany(keys);
    return {
      pointer: joinPointer(error.instancePath, extra),
      part: 'key',
      code: 'invalid-value',
      message:
        `${where} must have one step key (and at most one delivery fault beside it); ` +
        `it has ${keys.map((k) => `"${k}"`).join(', ')}. Put each step in its own list item.`,
    };
  }
  if (error.keyword === 'minProperties' && keys.length === 0) {
    return { pointer: error.instancePath, part: 'value', code: 'invalid-value', message: `${where} must not be empty.` };
  }
  const limit = Number(params['limit']);
  const relation = error.keyword === 'minProperties' ? 'at least' : 'at most';
  return {
    pointer: error.instancePath,
    part: 'value',
    code: 'invalid-value',
    message: `${where} must have ${relation} ${limit} propert${limit === 1 ? 'y' : 'ies'}.`,
  };
}

function describeProperty(parent: Record<string, unknown>, name: string): string {
  const properties = parent['properties'] as Record<string, Record<string, unknown>> | undefined;
  let description = properties?.[name]?.['description'];
  // A bare `$ref` (e.g. target.auth) carries its description in the definition.
  const ref = properties?.[name]?.['$ref'];
  if (description === undefined && typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    description = (SCHEMA['$defs'] as Record<string, Record<string, unknown>>)[ref.slice('#/$defs/'.length)]?.['description'];
  }
  return typeof description === 'string' ? ` ${description}` : '';
}

/** The key of a step object to point at when it has too many: the second step key, else the second fault. */
export function stepKeyTooMany(keys: readonly string[]): string {
  const steps = keys.filter((k) => !(DELIVERY_FAULTS as readonly string[]).includes(k));
  const faults = keys.filter((k) => (DELIVERY_FAULTS as readonly string[]).includes(k));
  return steps[1] ?? faults[1] ?? keys[1] ?? '';
}
