// Puts annotations where GitHub shows them. Workflow commands are cheap but GitHub shows only 10
// of each type per step (50 per job); beyond that, a check run carries them all.
import * as core from '@actions/core';
import type { Annotation } from '../../core/report/annotations.ts';
import type { AnnotationMode } from './inputs.ts';
import { publishCheckRun, type ChecksClient } from './checks-api.ts';

export const SHOWN_PER_TYPE = 10;

export interface CheckRunTarget {
  client: ChecksClient;
  name: string;
  headSha: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
}

/** Says what happened, in sentences for the log and the job summary. */
export async function annotate(
  all: readonly Annotation[],
  mode: AnnotationMode,
  checkRun: () => CheckRunTarget | undefined,
): Promise<string[]> {
  if (mode === 'none' || all.length === 0) return [];
  const notes: string[] = [];
  const perLevel = (level: Annotation['level']) => all.filter((a) => a.level === level);
  const fits = (['error', 'warning', 'notice'] as const).every((level) => perLevel(level).length <= SHOWN_PER_TYPE);
  if (mode === 'checks' || (mode === 'both' && !fits)) {
    const target = checkRun();
    if (!target) {
      notes.push('No token for the Checks API (input github-token), so annotations went out as workflow commands.');
    } else {
      try {
        const published = await publishCheckRun(target.client, { ...target, annotations: all });
        const hiddenOtherwise = (['error', 'warning', 'notice'] as const).reduce(
          (n, level) => n + Math.max(0, perLevel(level).length - SHOWN_PER_TYPE),
          0,
        );
        const hiddenNote = hiddenOtherwise
          ? `; as workflow commands GitHub would have hidden ${hiddenOtherwise} of them (it shows ${SHOWN_PER_TYPE} per type per step)`
          : '';
        notes.push(
          `${all.length} annotations were published on check run "${target.name}"${published.url ? ` (${published.url})` : ''} ` +
            `in ${published.requests} request${published.requests === 1 ? '' : 's'}${hiddenNote}.`,
        );
        return notes;
      } catch (error) {
        const status = (error as { status?: number }).status;
        const forbidden = status === 403 ? ': the workflow needs "permissions: checks: write"; pull requests from forks never get it' : '';
        notes.push(
          `The Checks API refused the check run (${status ?? (error as Error).message}${forbidden}), ` +
            `so annotations went out as workflow commands.`,
        );
      }
    }
  }
  let hidden = 0;
  for (const level of ['error', 'warning', 'notice'] as const) {
    const annotations = perLevel(level);
    for (const a of annotations.slice(0, SHOWN_PER_TYPE)) {
      // error, warning and notice are one call with the level chosen at run time
      // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the level is chosen at run time
      core[level](a.message, {
        title: a.title,
        file: a.file,
        startLine: a.line,
        endLine: a.endLine,
        ...(a.column !== undefined ? { startColumn: a.column, endColumn: a.endColumn } : {}),
      });
    }
    hidden += Math.max(0, annotations.length - SHOWN_PER_TYPE);
  }
  if (hidden)
    notes.push(
      `${hidden} more annotation${hidden === 1 ? ' was' : 's were'} not shown: GitHub shows ${SHOWN_PER_TYPE} per type ` +
        `per step. Set annotations to checks or both (with permissions: checks: write) to see them all; the report has them.`,
    );
  return notes;
}
