// SARIF 2.1.0 for code-scanning uploads: each finding that asks someone to act (an error or a
// warning) becomes a result at its spec range, under the rule that made it.
import { ruleOf } from '../checks/rules.ts';
import { clip, describe, headline, lineSpan, type Finding } from './finding.ts';

const MAX_MESSAGE = 4000;

export function toSarif(all: readonly Finding[], tool: { version: string }): string {
  const findings = all.filter((f) => f.severity === 'error' || f.severity === 'warning');
  const rules = [...new Set(findings.map((f) => f.code))].sort();
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'provspec',
            version: tool.version,
            rules: rules.map((id) => {
              const rule = ruleOf(id);
              return rule
                ? {
                    id,
                    shortDescription: { text: rule.what },
                    fullDescription: { text: `${rule.level} · ${rule.basis}${rule.quote ? `: "${rule.quote}"` : ''}` },
                    properties: { level: rule.level, basis: rule.basis },
                  }
                : { id, shortDescription: { text: id } };
            }),
          },
        },
        results: findings.map((f) => {
          const span = lineSpan(f.range);
          return {
            ruleId: f.code,
            ruleIndex: rules.indexOf(f.code),
            level: f.severity,
            message: { text: `${headline(f)}\n${clip(describe(f), MAX_MESSAGE)}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: f.file },
                  region: {
                    startLine: span.line,
                    endLine: span.endLine,
                    ...(span.column !== undefined ? { startColumn: span.column, endColumn: span.endColumn } : {}),
                  },
                },
              },
            ],
          };
        }),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
