// SARIF 2.1.0 for code-scanning uploads: each annotation becomes a result at its spec range.
import type { Annotation } from './annotations.ts';
import { ruleOf } from '../checks/rules.ts';

export function toSarif(annotations: readonly Annotation[], tool: { version: string }): string {
  const rules = [...new Set(annotations.map((a) => a.rule))].sort();
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
        results: annotations.map((a) => ({
          ruleId: a.rule,
          ruleIndex: rules.indexOf(a.rule),
          level: a.level === 'notice' ? 'note' : a.level,
          message: { text: `${a.title}\n${a.message}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: a.file },
                region: {
                  startLine: a.line,
                  endLine: a.endLine,
                  ...(a.column !== undefined ? { startColumn: a.column, endColumn: a.endColumn } : {}),
                },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
