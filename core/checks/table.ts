// The checks table in docs/checks.md, rendered from the rules themselves: what each check shows,
// where its rule comes from, how binding it is, and what each profile makes of a deviation.
import { PROFILES, RULES, failureStatus, type Profile, type Rule, type RuleId } from './rules.ts';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function verdictUnder(id: RuleId, profile: Profile): string {
  return failureStatus(id, profile);
}

export function checksTable(): string {
  const lines = [
    '# Checks',
    '',
    '<!-- Generated from core/checks/rules.ts by `node scripts/checks-table.ts`; a test keeps it current. -->',
    '',
    'Every check a run makes names one of these rules. A check **passes**, **fails** (a MUST, what the',
    "IdP needs, or what the spec asked is broken), **warns** (a SHOULD is not met, or the profile's IdP",
    'demonstrably tolerates the deviation; `--strict` fails the run on warnings), is **blocked** (a check it',
    'depends on failed: it points at that check instead of failing a second time), **errors** (no',
    'verdict: no response, or the runner could not go on) or is **skipped**. MAY is never checked.',
    '',
    "The profile (`--profile rfc7644|entra|okta`, by default the scenario's dialect's IdP) decides what a",
    'deviation is: `rfc7644` asks "does the server follow RFC 7643/7644?", `entra` and `okta` ask "will',
    'this IdP\'s provisioning work?". A MUST that an IdP demonstrably tolerates warns under its profile',
    'and fails under `rfc7644`; a SHOULD an IdP cannot do without fails under its profile; what only',
    'the IdPs need (level IdP) fails under their profiles and warns under `rfc7644`. Each tolerance',
    'below names the published source it comes from; none is guessed.',
    '',
    `| Rule | What a pass shows | Basis | Level | ${PROFILES.join(' | ')} |`,
    `|---|---|---|---|${PROFILES.map(() => '---').join('|')}|`,
  ];
  const ids = Object.keys(RULES) as RuleId[];
  for (const id of ids) {
    const rule: Rule = RULES[id];
    lines.push(
      `| \`${id}\` | ${cell(rule.what)}${rule.perResponse ? ' (one finding per run, with a count)' : ''} ` +
        `| ${cell(rule.basis)} | ${rule.level} | ${PROFILES.map((p) => verdictUnder(id, p)).join(' | ')} |`,
    );
  }
  lines.push('', "## The rules' own words, and the sources of each tolerance", '');
  for (const id of ids) {
    const rule: Rule = RULES[id];
    if (!rule.quote && !rule.tolerated && !rule.required) continue;
    lines.push(`- \`${id}\` (${cell(rule.basis)})`);
    if (rule.quote) lines.push(`  - "${cell(rule.quote)}"`);
    for (const [profile, source] of Object.entries(rule.tolerated ?? {})) lines.push(`  - tolerated under \`${profile}\`: ${cell(source)}`);
    for (const [profile, source] of Object.entries(rule.required ?? {})) lines.push(`  - required under \`${profile}\`: ${cell(source)}`);
  }
  return `${lines.join('\n')}\n`;
}
