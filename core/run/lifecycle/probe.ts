// probe: an HTTP request to a downstream system (the app itself, an access API) to prove the
// provisioning had its effect there. A credential goes along only to allowed origins.
import type { ScenarioContext } from '../context.ts';
import type { StepInfo, UserState } from './state.ts';
import { PROBE_METHODS, type Probe } from '../../spec/types.ts';
import { joinPointer } from '../../document/index.ts';
import { interpolate, interpolateDeep } from '../../expressions/evaluate.ts';
import { getKey } from '../../scim/resource.ts';
import { CredentialSource, resolveAuth } from '../../scim/auth.ts';

export async function probe(ctx: ScenarioContext, state: UserState, step: StepInfo, spec: Probe, base: string): Promise<void> {
  const method = PROBE_METHODS.find((m) => spec[m] !== undefined)!;
  const scope = ctx.scope({
    identity: state.identity,
    ...(state.id ? { user: { id: state.id, ...(state.userName ? { userName: state.userName } : {}) } } : {}),
  });
  const url = String(interpolate(spec[method]!, scope));
  const headers = spec.headers ? (interpolateDeep(spec.headers, scope) as Record<string, string>) : undefined;
  const body = spec.body === undefined ? undefined : interpolateDeep(spec.body, scope);
  // The probed system's own credential, never the target's; like any credential it goes only to
  // allowed origins (the client refuses others).
  const credentials =
    spec.auth === undefined || spec.auth === 'none'
      ? (false as const)
      : new CredentialSource(
          resolveAuth(spec.auth, (text) => String(interpolate(text, scope)), ctx.run.secrets),
          ctx.run.secrets,
          ctx.run.requestTimeoutMs,
          (u) => ctx.run.client.isAllowed(u),
        );
  const exchange = await ctx.send(
    {
      method: method.toUpperCase() as 'GET',
      url,
      ...(body === undefined ? {} : { body }),
      ...(headers ? { headers } : {}),
      credentials,
    },
    step.label,
  );
  const expect = spec.expect ?? { status: [200, 201, 202, 204] };
  const at = (key: string) => ctx.range(joinPointer(joinPointer(base, 'expect'), key));
  if (exchange.status === undefined) {
    ctx.verdict('probe.response', `${step.label}.probe`, `${method.toUpperCase()} ${url} answers`, step.range, 'error', {
      message: exchange.error ?? 'no response',
      evidence: [exchange],
    });
    return;
  }
  if (expect.status !== undefined) {
    const statuses = Array.isArray(expect.status) ? expect.status : [expect.status];
    const ok = statuses.includes(exchange.status);
    // After a write the server refused, the downstream system is right to show the old state.
    const verdict: typeof ctx.verdict = (rule, id, title, range, status, detail) => {
      if (status !== 'fail' || !state.writeFailure) return ctx.verdict(rule, id, title, range, status, detail);
      ctx.blocked(
        rule,
        id,
        title,
        range,
        state.writeFailure,
        `${detail?.message ?? title}: the write before it was refused`,
        detail?.evidence ?? [],
      );
      return false;
    };
    verdict(
      'probe.response',
      `${step.label}.probe.status`,
      `${method.toUpperCase()} ${url} answers ${statuses.join(' or ')}`,
      spec.expect ? at('status') : step.range,
      ok ? 'pass' : 'fail',
      {
        message: ok ? '' : `${method.toUpperCase()} ${url} answered ${exchange.status}, expected ${statuses.join(' or ')}`,
        expected: statuses.length === 1 ? statuses[0] : statuses,
        actual: exchange.status,
        evidence: [exchange],
      },
    );
  }
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    const actual = exchange.responseHeaders?.[name.toLowerCase()];
    const expected = String(interpolate(value, scope));
    const ok = actual === expected;
    ctx.verdict(
      'probe.response',
      `${step.label}.probe.header.${name}`,
      `header ${name} is ${expected}`,
      ctx.range(joinPointer(joinPointer(joinPointer(base, 'expect'), 'headers'), name)),
      ok ? 'pass' : 'fail',
      {
        message: ok ? '' : `header ${name} is ${JSON.stringify(actual ?? null)}`,
        expected,
        actual: actual ?? null,
        evidence: [exchange],
      },
    );
  }
  for (const [path, value] of Object.entries(expect.json ?? {})) {
    const expected = interpolateDeep(value, scope);
    const actual = path
      .split('.')
      .reduce<unknown>((node, key) => (Array.isArray(node) && /^\d+$/.test(key) ? node[Number(key)] : getKey(node, key)), exchange.json);
    const ok = JSON.stringify(actual) === JSON.stringify(expected);
    ctx.verdict(
      'probe.response',
      `${step.label}.probe.json.${path}`,
      `${path} is ${JSON.stringify(expected)}`,
      ctx.range(joinPointer(joinPointer(joinPointer(base, 'expect'), 'json'), path)),
      ok ? 'pass' : 'fail',
      {
        message: ok ? '' : exchange.json === undefined ? 'the response is not JSON' : `${path} is ${JSON.stringify(actual ?? null)}`,
        expected,
        actual: actual ?? null,
        evidence: [exchange],
      },
    );
  }
}
