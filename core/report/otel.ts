// The run as OpenTelemetry spans, exported over OTLP/HTTP with the official SDK and exporter: run
// → spec → scenario → step → HTTP exchange, each check an event on its step (or scenario), a
// failing check an error status up its scenario, spec and run. The run's trace id is the one in
// every request's traceparent, and each exchange's span id the one that request carried, so the
// server's own spans (its traceparent's parent) join this trace. Timestamps are the run's: an
// exchange span is made when the answer is in, starting when it was sent.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider, type IdGenerator } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Plan } from '../plan/plan.ts';
import type { RunOptions } from '../run/runner.ts';
import type { SpecResult } from '../run/result.ts';
import { resourceOf } from './trace.ts';

export interface OtelOptions {
  /** Where spans go: the traces endpoint (…/v1/traces), or a base to which /v1/traces is added. */
  url: string;
  headers?: Record<string, string>;
  runId: string;
  traceId: string;
  version?: string;
  /** How long one export may take, retries included (default 10 s). */
  timeoutMs?: number;
}

export interface OtelExport {
  forPlan(plan: Plan): Partial<RunOptions>;
  specEnd(plan: Plan, result: SpecResult): void;
  /** Ends the run span and sends what is left; resolves with the exporter's error, if it had one. */
  end(status: string): Promise<Error | undefined>;
}

/**
 * Ids as the run's requests carry them: the trace id is the run's, and the span id the next
 * exchange span must have is set just before it starts; every other span gets a random one.
 */
class RunIds implements IdGenerator {
  next: string | undefined;
  readonly traceId: string;
  constructor(traceId: string) {
    this.traceId = traceId;
  }
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    const id = this.next;
    this.next = undefined;
    return id ?? randomBytes(8).toString('hex');
  }
}

export function startOtelExport(options: OtelOptions): OtelExport {
  const ids = new RunIds(options.traceId);
  let exportError: Error | undefined;
  const exporter = new OTLPTraceExporter({ url: options.url, headers: options.headers ?? {}, timeoutMillis: options.timeoutMs ?? 10_000 });
  // The exporter reports a failed export to its callback only; kept, to be told once at the end.
  const send = exporter.export.bind(exporter);
  exporter.export = (spans, done) =>
    send(spans, (result) => {
      if (result.error) exportError ??= result.error;
      done(result);
    });
  const provider = new TracerProvider({
    idGenerator: ids,
    resource: resourceFromAttributes({
      'service.name': 'provspec',
      ...(options.version ? { 'service.version': options.version } : {}),
      'provspec.run_id': options.runId,
    }),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 100_000, maxExportBatchSize: 512, scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer('provspec', options.version);
  // Epoch milliseconds of a performance.now() reading: spans carry the run's own times.
  const epoch = (perf: number) => performance.timeOrigin + perf;
  const specs = new Map<Plan, { spec: Span; scenarios: Map<string, ScenarioSpans> }>();
  const run = tracer.startSpan(`provspec run ${options.runId}`, { root: true, attributes: { 'provspec.run_id': options.runId } });
  const runContext = trace.setSpan(context.active(), run);
  let runFailed = false;

  return {
    forPlan(plan) {
      const spec = tracer.startSpan(`spec ${plan.file}`, { attributes: { 'provspec.file': plan.file } }, runContext);
      const specContext = trace.setSpan(runContext, spec);
      const scenarios = new Map<string, ScenarioSpans>();
      specs.set(plan, { spec, scenarios });
      const sectionOf = new Map(plan.scenarios.map((s) => [s.name, s.section] as const));
      const scenarioSpan = (name: string, section: string | undefined, startTime?: number) => {
        const key = `${section ?? sectionOf.get(name) ?? 'run'}.${name}`;
        let found = scenarios.get(key);
        if (!found) {
          const attributes: Attributes = { 'provspec.scenario': name, 'provspec.section': section ?? sectionOf.get(name) ?? 'run' };
          const span = tracer.startSpan(`scenario ${key}`, { attributes, ...(startTime ? { startTime } : {}) }, specContext);
          found = { span, context: trace.setSpan(specContext, span), steps: new Map(), failed: false };
          scenarios.set(key, found);
        }
        return found;
      };
      const stepSpan = (
        owner: ReturnType<typeof scenarioSpan>,
        step: string | undefined,
        startTime: number,
      ): { span: Span; context: Context } => {
        if (!step) return owner;
        let span = owner.steps.get(step);
        if (!span) {
          span = tracer.startSpan(`step ${step}`, { attributes: { 'provspec.step': step }, startTime }, owner.context);
          owner.steps.set(step, span);
        }
        return { span, context: trace.setSpan(owner.context, span) };
      };
      return {
        onScenarioStart: (scenario) => void scenarioSpan(scenario.name, scenario.section, epoch(performance.now())),
        onExchange: (exchange, requestContext) => {
          const end = epoch(performance.now());
          const start = end - exchange.ms;
          const owner = requestContext.scenario === undefined ? undefined : scenarioSpan(requestContext.scenario, undefined);
          const parent = owner ? stepSpan(owner, requestContext.step, start).context : specContext;
          const url = safeUrl(exchange.url);
          const attributes: Attributes = {
            'http.request.method': exchange.method,
            'url.full': exchange.url,
            ...(url ? { 'server.address': url.hostname, 'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)) } : {}),
            'provspec.request_id': exchange.id,
            ...(exchange.status !== undefined ? { 'http.response.status_code': exchange.status } : {}),
            ...(exchange.error ? { 'error.type': exchange.error.slice(0, 200) } : {}),
          };
          const resource = resourceOf(exchange);
          if (resource) attributes[`provspec.${resource.type.toLowerCase()}_id`] = resource.id;
          // The span id this request's traceparent carried: the server's span names it as its parent.
          ids.next = spanIdOf(exchange.requestHeaders['traceparent']);
          const span = tracer.startSpan(
            `${exchange.method} ${url?.pathname ?? exchange.url}`,
            { kind: SpanKind.CLIENT, attributes, startTime: start },
            parent,
          );
          ids.next = undefined;
          if (exchange.error || (exchange.status !== undefined && exchange.status >= 500)) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end(end);
        },
        onCheck: (check, scenario) => {
          const owner = scenarioSpan(scenario.name, sectionOf.has(scenario.name) ? scenario.section : undefined);
          const step = check.id.includes('.') && /^\d+-/.test(check.id) ? check.id.slice(0, check.id.indexOf('.')) : undefined;
          const target = step && owner.steps.get(step) ? owner.steps.get(step)! : owner.span;
          target.addEvent(`check ${check.id}`, {
            'provspec.check.id': check.id,
            'provspec.check.rule': check.rule,
            'provspec.check.status': check.status,
            'provspec.check.level': check.level,
            'provspec.check.basis': check.basis,
            'provspec.check.line': check.range.start.line + 1,
            ...(check.message ? { 'provspec.check.message': check.message.slice(0, 1000) } : {}),
          });
          if (check.status === 'fail' || check.status === 'error') {
            const message = `${check.id}: ${check.message}`.slice(0, 1000);
            target.setStatus({ code: SpanStatusCode.ERROR, message });
            owner.span.setStatus({ code: SpanStatusCode.ERROR, message });
            owner.failed = true;
          }
        },
        onScenarioEnd: (result) => {
          const key = `${result.section === 'setup' ? 'run' : result.section}.${result.section === 'setup' ? 'setup' : result.name}`;
          const found = scenarios.get(key) ?? scenarios.get(`${result.section}.${result.name}`);
          if (!found) return;
          found.span.setAttribute('provspec.status', result.status);
          const now = epoch(performance.now());
          for (const span of found.steps.values()) span.end(now);
          found.span.end(now);
          scenarios.delete(key);
        },
      };
    },
    specEnd(plan, result) {
      const open = specs.get(plan);
      if (!open) return;
      const { spec, scenarios } = open;
      // What reported no end of its own (the groups' set-up, a scenario cut short) ends with its spec.
      const now = epoch(performance.now());
      for (const found of scenarios.values()) {
        for (const span of found.steps.values()) span.end(now);
        found.span.end(now);
      }
      spec.setAttribute('provspec.status', result.status);
      if (result.status === 'fail' || result.status === 'error') {
        spec.setStatus({ code: SpanStatusCode.ERROR, message: `${result.file}: ${result.status}` });
        runFailed = true;
      }
      spec.end();
      specs.delete(plan);
    },
    async end(status) {
      run.setAttribute('provspec.status', status);
      if (runFailed || status === 'fail' || status === 'error') run.setStatus({ code: SpanStatusCode.ERROR, message: status });
      run.end();
      try {
        await provider.forceFlush();
        await provider.shutdown();
      } catch (error) {
        exportError ??= error instanceof Error ? error : new Error(String(error));
      }
      return exportError;
    },
  };
}

interface ScenarioSpans {
  span: Span;
  context: Context;
  steps: Map<string, Span>;
  failed: boolean;
}

function spanIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : /^00-[0-9a-f]{32}-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(traceparent);
  return match?.[1];
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
