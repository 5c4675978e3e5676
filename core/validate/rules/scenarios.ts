// Scenarios: unique names, steps in an order that makes sense, cases that say what to send.
import { joinPointer } from '../../document/pointer.ts';
import { stepKind, RAW_METHODS, PROBE_METHODS, DIALECTS, DELIVERY_FAULTS, WRITE_STEPS, type Dialect } from '../../spec/types.ts';
import { stepKeyTooMany } from '../schema.ts';
import { arr, entries, obj, str, type RuleContext } from '../context.ts';
import { findExpressions } from '../../expressions/parse.ts';
import { dialectFor } from '../../scim/dialects/index.ts';
import { durationMs } from '../../spec/duration.ts';

const SECTIONS = ['lifecycle', 'negative', 'concurrency', 'load'] as const;

export function checkScenarios(ctx: RuleContext): void {
  checkUniqueNames(ctx);
  for (const [name, scenario] of entries(ctx.spec['lifecycle'])) {
    checkSteps(ctx, name, obj(scenario));
    checkOffboarding(ctx, joinPointer(joinPointer('/lifecycle', name), 'offboarding'), obj(obj(scenario)?.['offboarding']));
  }
  checkOffboarding(ctx, '/offboarding', obj(ctx.spec['offboarding']));
  for (const [name, negative] of entries(ctx.spec['negative'])) checkNegative(ctx, name, obj(negative));
  for (const [name, race] of entries(ctx.spec['concurrency'])) checkRace(ctx, name, obj(race));
  for (const [name, load] of entries(ctx.spec['load'])) checkLoad(ctx, name, obj(load));
  arr(ctx.spec['conformance']).forEach((suite, i) => {
    const protocol = suite === 'oidc-rp' ? 'oidc' : suite === 'saml-sp' ? 'saml' : undefined;
    if (!protocol) return;
    const federation = obj(ctx.spec['federation']);
    if (!federation)
      ctx.report.at(
        joinPointer('/conformance', i),
        'value',
        'error',
        'federation-missing',
        `The ${suite} suite signs in through the app: it needs the "federation" section (protocol ${protocol}, start, session).`,
      );
    else if (federation['protocol'] !== protocol)
      ctx.report.at(
        joinPointer('/conformance', i),
        'value',
        'error',
        'invalid-value',
        `The ${suite} suite tests the app over ${protocol === 'oidc' ? 'OpenID Connect' : 'SAML'}: ` +
          `federation.protocol is not ${protocol} here.`,
      );
  });
}

/** A load run that cannot pass whatever the server does, or that would not stay bounded. */
function checkLoad(ctx: RuleContext, name: string, load: ReturnType<typeof obj>): void {
  if (!load) return;
  const base = joinPointer('/load', name);
  const rate = typeof load['rate'] === 'number' ? load['rate'] : undefined;
  const expect = obj(load['expect']);
  const wanted = typeof expect?.['rate'] === 'number' ? expect['rate'] : undefined;
  if (rate !== undefined && wanted !== undefined && wanted > rate) {
    ctx.report.at(
      joinPointer(joinPointer(base, 'expect'), 'rate'),
      'value',
      'error',
      'impossible-expectation',
      `An achieved rate of ${wanted}/s can never be reached when requests are sent at ${rate}/s.`,
    );
  }
  const duration = str(load['duration']);
  if (duration !== undefined && /^\d+(\.\d+)?(ms|s|m)$/.test(duration) && durationMs(duration, 0) > 120_000) {
    ctx.report.at(joinPointer(base, 'duration'), 'value', 'error', 'invalid-value', `A load run lasts at most 120s, not ${duration}.`);
  }
  const requests = typeof load['requests'] === 'number' ? load['requests'] : 250;
  if (rate !== undefined && duration === undefined && requests / rate > 120) {
    ctx.report.at(
      joinPointer(base, 'requests'),
      'value',
      'warning',
      'impossible-expectation',
      `${requests} requests at ${rate}/s take ${Math.round(requests / rate)}s; the run stops after 120s.`,
    );
  }
}

/** Scenario names share one namespace: `--scenario NAME` and check ids must be unambiguous. */
function checkUniqueNames(ctx: RuleContext): void {
  const first = new Map<string, string>();
  for (const section of SECTIONS) {
    for (const [name] of entries(ctx.spec[section])) {
      const seen = first.get(name);
      if (seen) {
        ctx.report.at(
          joinPointer(`/${section}`, name),
          'key',
          'error',
          'duplicate-scenario',
          `Scenario name "${name}" is already used in ${seen}; names must be unique across lifecycle, negative, concurrency and load.`,
        );
      } else first.set(name, section);
    }
  }
}

type UserState = 'absent' | 'active' | 'inactive' | 'deleted';

/** What each step needs from the user's state, and what it leaves. */
function checkSteps(ctx: RuleContext, name: string, scenario: ReturnType<typeof obj>): void {
  if (!scenario) return;
  const base = joinPointer(joinPointer('/lifecycle', name), 'steps');
  const dialect = str(scenario['dialect']) ?? str(obj(ctx.spec['target'])?.['dialect']) ?? 'rfc7644';
  const identity = obj(obj(ctx.spec['identities'])?.[str(scenario['identity']) ?? '']);
  let state: UserState = 'absent';
  const offboardingMode = str(obj(scenario['offboarding'])?.['mode']) ?? str(obj(ctx.spec['offboarding'])?.['mode']);
  arr(scenario['steps']).forEach((step, i) => {
    checkDeliveryFault(ctx, joinPointer(base, i), step);
    const kind = stepKind(step);
    if (!kind) return;
    // Where a problem is reported (the step's key when it has one) is worked out only for a
    // problem: building and looking up a pointer per step was this rule's main cost on big specs.
    const where = (): { pointer: string; part: 'key' | 'value' } => {
      const item = joinPointer(base, i);
      const keyed = ctx.doc.locations.get(joinPointer(item, kind))?.key !== undefined;
      return keyed ? { pointer: joinPointer(item, kind), part: 'key' } : { pointer: item, part: 'value' };
    };
    const problem = (code: string, message: string, severity: 'error' | 'warning' = 'error') => {
      const { pointer, part } = where();
      ctx.report.at(pointer, part, severity, code, message);
    };
    const needsUser = ['update', 'atomic-update', 'deactivate', 'reactivate', 'deprovision', 'assign', 'unassign'].includes(kind);
    if (needsUser && state === 'absent') {
      problem('step-before-provision', `"${kind}" needs a provisioned user, but no step before it provisions one. Add "provision" first.`);
    } else if (needsUser && state === 'deleted') {
      problem(
        'step-after-deprovision',
        `"${kind}" comes after "deprovision": the user no longer exists. Provision again first, or move this step up.`,
      );
    }
    switch (kind) {
      case 'provision':
        if (state === 'active' || state === 'inactive') {
          problem(
            'provision-twice',
            'The user is already provisioned: a second provision re-creates the same identity (expect a 409 or a no-op).',
            'warning',
          );
        }
        state = 'active';
        break;
      case 'deactivate':
        if (state === 'inactive') problem('redundant-step', 'The user is already deactivated here.', 'warning');
        if (state !== 'absent' && state !== 'deleted') state = 'inactive';
        break;
      case 'reactivate':
        if (state === 'active')
          problem('redundant-step', 'The user is active here: there is nothing to reactivate. Deactivate it first.', 'warning');
        if (state !== 'absent' && state !== 'deleted') state = 'active';
        break;
      case 'deprovision':
        // Which IdPs never delete is the dialect's knowledge, asked here rather than copied.
        if (deactivates(dialect) && offboardingMode !== 'deactivate') {
          problem(
            'dialect-unsupported-step',
            `Okta never sends DELETE for users: with dialect "${dialect}" this step deactivates ` +
              `the user instead, and the checks expect it to stay readable with active false.`,
            'warning',
          );
        }
        if (state !== 'absent') state = offboardingMode === 'deactivate' || deactivates(dialect) ? 'inactive' : 'deleted';
        break;
      case 'update':
        checkUpdate(ctx, joinPointer(joinPointer(base, i), 'update'), obj(obj(step)?.['update']), identity);
        break;
      case 'atomic-update':
        checkUpdate(ctx, joinPointer(joinPointer(base, i), 'atomic-update'), obj(obj(step)?.['atomic-update']), identity);
        break;
      case 'rehire':
        if (state === 'absent')
          problem('step-before-provision', '"rehire" provisions a leaver again: provision and offboard the user first.');
        else if (state === 'active')
          problem(
            'rehire-before-offboarding',
            '"rehire" provisions a leaver again, but the user has not left here. Add "deprovision" (or "deactivate") before it.',
          );
        if (obj(step)?.['rehire']) checkUpdate(ctx, joinPointer(joinPointer(base, i), 'rehire'), obj(obj(step)?.['rehire']), identity);
        if (state !== 'absent') state = 'active';
        break;
      case 'reorder':
        if (state !== 'absent')
          problem(
            'provision-twice',
            '"reorder" creates the user (its update arrives before its create): it must come before any provision.',
          );
        checkUpdate(
          ctx,
          joinPointer(joinPointer(joinPointer(joinPointer(base, i), 'reorder'), 0), 'update'),
          obj(obj(arr(obj(step)?.['reorder'])[0])?.['update']),
          identity,
        );
        state = 'active';
        break;
      case 'expect': {
        const expect = obj(obj(step)?.['expect']);
        if (expect?.['session'] !== undefined && !obj(ctx.spec['federation']))
          problem(
            'federation-missing',
            'An expectation of the session needs the "federation" section (federation.session says how to read it).',
          );
        if (state === 'absent' && expect && Object.keys(expect).some((k) => k !== 'exists' && k !== 'findable' && k !== 'session')) {
          problem('step-before-provision', 'This expectation needs a provisioned user, but no step before it provisions one.');
        }
        break;
      }
      case 'probe':
        checkProbe(ctx, joinPointer(joinPointer(base, i), 'probe'), obj(obj(step)?.['probe']));
        break;
      case 'login':
      case 'logout':
      case 'idp': {
        const federation = obj(ctx.spec['federation']);
        if (!federation) {
          problem(
            'federation-missing',
            `"${kind}" needs the "federation" section: how a login starts at the app, how the session is read, ` +
              "and the app's client at the IdP.",
          );
          break;
        }
        if (kind === 'login' && obj(obj(step)?.['login'])?.['expect'] !== 'refused') state = 'active';
        if (kind === 'logout' && federation['logout'] === undefined)
          problem('missing-property', '"logout" signs out at federation.logout, which this spec does not give.');
        const change = obj(obj(step)?.['idp']);
        if (change?.['update'])
          checkUpdate(ctx, joinPointer(joinPointer(joinPointer(base, i), 'idp'), 'update'), obj(change['update']), identity);
        break;
      }
      case 'eventually': {
        const body = obj(obj(step)?.['eventually']);
        if (body && !('expect' in body) && !('probe' in body)) {
          ctx.report.at(where().pointer, 'key', 'error', 'missing-property', 'eventually needs an "expect" or a "probe" to retry.', {
            missingProperty: 'expect',
          });
        } else if (body && 'expect' in body && 'probe' in body) {
          ctx.report.at(
            joinPointer(joinPointer(joinPointer(base, i), 'eventually'), 'probe'),
            'key',
            'error',
            'conflicting-properties',
            'eventually retries one thing: it has both "expect" and "probe". Put each in its own eventually step.',
          );
        }
        if (body?.['probe']) checkProbe(ctx, joinPointer(joinPointer(joinPointer(base, i), 'eventually'), 'probe'), obj(body['probe']));
        break;
      }
      default:
        break;
    }
  });
}

/** Identity attributes the mapping or the role rules read; found once per validation, not per update. */
const attributesRead = new WeakMap<RuleContext, Set<string>>();

function readAttributes(ctx: RuleContext): Set<string> {
  let read = attributesRead.get(ctx);
  if (read) return read;
  read = new Set<string>();
  for (const [, rule] of entries(ctx.spec['mapping'])) {
    const text = str(rule) ?? str(obj(rule)?.['value']) ?? '';
    for (const e of findExpressions(text)) if (e.namespace === 'identity' && e.path[0]) read.add(e.path[0]);
  }
  for (const rule of arr(ctx.spec['roles'])) for (const [key] of entries(obj(rule)?.['when'])) read.add(key);
  // The claims provspec's IdP asserts read identity attributes too (federation).
  for (const [, claim] of entries(obj(ctx.spec['federation'])?.['claims']))
    for (const e of findExpressions(str(claim) ?? '')) if (e.namespace === 'identity' && e.path[0]) read.add(e.path[0]);
  attributesRead.set(ctx, read);
  return read;
}

/** An update that changes nothing the mapping or role rules read proves nothing. */
function checkUpdate(ctx: RuleContext, pointer: string, update: ReturnType<typeof obj>, identity: ReturnType<typeof obj>): void {
  if (!update) return;
  const read = readAttributes(ctx);
  for (const [attribute, value] of Object.entries(update)) {
    if (!read.has(attribute)) {
      ctx.report.at(
        joinPointer(pointer, attribute),
        'key',
        'warning',
        'update-has-no-effect',
        `No mapping or role rule reads "${attribute}": this update sends nothing to the target.`,
      );
    } else if (identity && JSON.stringify(identity[attribute]) === JSON.stringify(value)) {
      ctx.report.at(
        joinPointer(pointer, attribute),
        'value',
        'warning',
        'update-has-no-effect',
        `"${attribute}" already has this value: the update changes nothing.`,
      );
    }
  }
}

function checkProbe(ctx: RuleContext, pointer: string, probe: ReturnType<typeof obj>): void {
  if (!probe) return;
  const methods = PROBE_METHODS.filter((m) => m in probe);
  if (methods.length === 0) {
    ctx.report.at(pointer, 'key', 'error', 'missing-property', `A probe needs a URL under one of: ${PROBE_METHODS.join(', ')}.`, {
      missingProperty: 'get',
    });
  } else if (methods.length > 1) {
    ctx.report.at(
      joinPointer(pointer, methods[1]!),
      'key',
      'error',
      'conflicting-properties',
      `A probe sends one request: it has both "${methods[0]}" and "${methods[1]}".`,
    );
  }
}

function checkNegative(ctx: RuleContext, name: string, negative: ReturnType<typeof obj>): void {
  if (!negative) return;
  const base = joinPointer('/negative', name);
  const raw = RAW_METHODS.filter((m) => m in negative);
  const create = 'create' in negative;
  if (!create && raw.length === 0) {
    ctx.report.at(
      base,
      'key',
      'error',
      'missing-property',
      `A negative case needs "create" (an identity) or a request (${RAW_METHODS.join(', ')}).`,
      { missingProperty: 'create' },
    );
  }
  const requests = [...(create ? ['create'] : []), ...raw];
  if (requests.length > 1) {
    ctx.report.at(
      joinPointer(base, requests[1]!),
      'key',
      'error',
      'conflicting-properties',
      `A negative case sends one request: it has both "${requests[0]}" and "${requests[1]}".`,
    );
  }
  if (!create) {
    for (const key of ['without', 'set']) {
      if (key in negative)
        ctx.report.at(
          joinPointer(base, key),
          'key',
          'error',
          'conflicting-properties',
          `"${key}" alters a create request and needs "create".`,
        );
    }
  } else if ('body' in negative) {
    ctx.report.at(
      joinPointer(base, 'body'),
      'key',
      'error',
      'conflicting-properties',
      '"body" is for raw requests; a "create" case builds its body from the mapping (alter it with "without" and "set").',
    );
  }
  if (raw.length === 1 && (raw[0] === 'get' || raw[0] === 'delete') && 'body' in negative) {
    ctx.report.at(
      joinPointer(base, 'body'),
      'key',
      'warning',
      'conflicting-properties',
      `A ${raw[0]!.toUpperCase()} request carries no body.`,
    );
  }
}

function checkRace(ctx: RuleContext, name: string, race: ReturnType<typeof obj>): void {
  if (!race) return;
  const base = joinPointer('/concurrency', name);
  const action = str(race['action']);
  if (action === 'provision') {
    if (!('identity' in race))
      ctx.report.at(base, 'key', 'error', 'missing-property', 'A provision race needs "identity".', { missingProperty: 'identity' });
    for (const key of ['identities', 'group']) {
      if (key in race)
        ctx.report.at(joinPointer(base, key), 'key', 'warning', 'conflicting-properties', `"${key}" is not used by a provision race.`);
    }
    const parallel = typeof race['parallel'] === 'number' ? race['parallel'] : 8;
    const expect = obj(race['expect']);
    const created = typeof expect?.['created'] === 'number' ? expect['created'] : 0;
    const conflict = typeof expect?.['conflict'] === 'number' ? expect['conflict'] : 0;
    if (created + conflict > parallel) {
      ctx.report.at(
        joinPointer(base, 'expect'),
        'key',
        'error',
        'impossible-expectation',
        `created (${created}) + conflict (${conflict}) is more than the ${parallel} parallel requests.`,
      );
    }
    if (expect && typeof expect['created'] === 'number' && expect['created'] !== 1) {
      ctx.report.at(
        joinPointer(joinPointer(base, 'expect'), 'created'),
        'value',
        'warning',
        'impossible-expectation',
        'A correct server creates exactly one user however many identical creates race.',
      );
    }
  } else if (action === 'add-members' || action === 'remove-member') {
    for (const key of ['identities', 'group']) {
      if (!(key in race))
        ctx.report.at(base, 'key', 'error', 'missing-property', `A ${action} race needs "${key}".`, { missingProperty: key });
    }
    if ('identity' in race)
      ctx.report.at(
        joinPointer(base, 'identity'),
        'key',
        'warning',
        'conflicting-properties',
        `A ${action} race uses "identities", not "identity".`,
      );
    if ('expect' in race)
      ctx.report.at(
        joinPointer(base, 'expect'),
        'key',
        'warning',
        'conflicting-properties',
        `A ${action} race always checks the exact final membership; "expect" is for provision races.`,
      );
  }
}

/**
 * A delivery fault sits beside the key of a step that writes (`- update: {…}` with `retry: 2`
 * under it): alone, beside a second fault or beside a step that only reads, it means nothing.
 */
function checkDeliveryFault(ctx: RuleContext, item: string, step: unknown): void {
  const body = obj(step);
  if (!body) return;
  const keys = Object.keys(body);
  if (keys.length > 2) return; // the schema's maxProperties says so
  const faults = keys.filter((k) => (DELIVERY_FAULTS as readonly string[]).includes(k));
  const steps = keys.filter((k) => !(DELIVERY_FAULTS as readonly string[]).includes(k));
  if (steps.length > 1 || faults.length > 1) {
    const has = keys.map((k) => `"${k}"`).join(', ');
    ctx.report.at(
      joinPointer(item, stepKeyTooMany(keys)),
      'key',
      'error',
      'invalid-value',
      `A step has one step key (and at most one delivery fault: ${DELIVERY_FAULTS.join(', ')}); this one has ${has}. ` +
        'Put each step in its own list item.',
    );
    return;
  }
  if (faults.length === 0) return;
  const kind = steps[0];
  if (kind === undefined) {
    ctx.report.at(
      joinPointer(item, faults[0]!),
      'key',
      'error',
      'fault-without-step',
      `"${faults[0]}" changes how a step's writes are delivered: put it beside the step, ` +
        `e.g. \`- provision: {}\` with \`${faults[0]}: …\` under it.`,
    );
    return;
  }
  if (!(WRITE_STEPS as readonly string[]).includes(kind))
    ctx.report.at(
      joinPointer(item, faults[0]!),
      'key',
      'error',
      'fault-on-read-step',
      `"${faults[0]}" repeats a step's writes, and "${kind}" writes nothing to the target. ` +
        `Delivery faults apply to ${WRITE_STEPS.join(', ')}.`,
    );
}

/** Whether the dialect's IdP never deletes users (Okta): its deprovision deactivates. */
function deactivates(dialect: string): boolean {
  return (DIALECTS as readonly string[]).includes(dialect) && dialectFor(dialect as Dialect).deprovision === 'deactivate';
}

/** offboarding.keep names attributes a deactivated account keeps: a deleted one keeps nothing. */
export function checkOffboarding(ctx: RuleContext, pointer: string, offboarding: ReturnType<typeof obj>): void {
  if (offboarding?.['mode'] !== 'delete' || offboarding['keep'] === undefined) return;
  ctx.report.at(
    joinPointer(pointer, 'keep'),
    'key',
    'error',
    'keep-needs-deactivate',
    'keep lists what a deactivated account must still hold; with mode delete the account is gone. Use mode deactivate, or drop keep.',
  );
}
