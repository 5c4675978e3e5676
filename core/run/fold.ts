// One defect, one finding per scenario: a per-response rule (the media type, the error body, the
// Location header) broken the same way on many responses of a scenario is reported once, at its
// first occurrence, with a count and where else it happened. Each scenario keeps its own finding,
// so a run against a server with one defect shows one failing check per scenario for it.
import { ruleOf } from '../checks/rules.ts';
import { worst, type CheckResult, type ScenarioResult } from './result.ts';

const MAX_ALSO_AT = 5;

export class FindingFolder {
  /** Folds the scenario's repeats of a finding into its first occurrence. */
  fold(scenario: ScenarioResult): void {
    const first = new Map<string, { check: CheckResult; scenario: ScenarioResult }>();
    const kept: CheckResult[] = [];
    for (const check of scenario.checks) {
      if ((check.status !== 'fail' && check.status !== 'warn') || !ruleOf(check.rule)?.perResponse) {
        kept.push(check);
        continue;
      }
      const key = `${check.rule}\u0000${check.status}\u0000${JSON.stringify(check.actual ?? null)}`;
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, { check, scenario });
        kept.push(check);
        continue;
      }
      earlier.check.count = (earlier.check.count ?? 1) + 1;
      const where = check.id;
      earlier.check.alsoAt ??= [];
      if (earlier.check.alsoAt.length < MAX_ALSO_AT) earlier.check.alsoAt.push(where);
      // One more piece of evidence, if it shows another request.
      const other = check.evidence[0];
      if (
        other &&
        earlier.check.evidence.length < 2 &&
        !earlier.check.evidence.some((e) => e.method === other.method && e.url === other.url)
      )
        earlier.check.evidence.push(other);
    }
    if (kept.length !== scenario.checks.length) {
      scenario.checks = kept;
      scenario.status = kept.length ? worst(kept.map((c) => c.status)) : 'pass';
    }
  }
}
