// The NDJSON trace: one event per HTTP exchange (redacted, as the runner stored it), per check
// and per scenario, each with run, file, scenario and step, so one request id leads from a
// failed check to the bytes that decided it.
import type { Plan } from '../plan/plan.ts';
import type { RunOptions } from '../run/runner.ts';
import { evidenceOf } from '../scim/exchange.ts';

export function traceCallbacks(write: (line: string) => void, runId: string): (plan: Plan) => Partial<RunOptions> {
  const event = (value: Record<string, unknown>) => write(`${JSON.stringify(value)}\n`);
  return (plan) => ({
    onScenarioEnd: (scenario) =>
      event({
        type: 'scenario',
        runId,
        file: plan.file,
        section: scenario.section,
        scenario: scenario.name,
        status: scenario.status,
        ms: scenario.ms,
      }),
    onExchange: (exchange, context) =>
      event({
        type: 'exchange',
        runId,
        file: plan.file,
        scenario: context.scenario ?? null,
        step: context.step ?? null,
        ...evidenceOf(exchange),
      }),
    onCheck: (check, scenario) =>
      event({
        type: 'check',
        runId,
        file: plan.file,
        section: scenario.section,
        scenario: scenario.name,
        id: check.id,
        status: check.status,
        title: check.title,
        message: check.message,
        line: check.range.start.line + 1,
        column: check.range.start.character + 1,
        evidence: check.evidence.map((e) => e.id),
      }),
  });
}
