// Annotations beyond GitHub's per-step limit go to a check run through the Checks API: 50 per
// request (the API's limit), created on the pull request's head commit, not the merge commit.
import type { Annotation } from '../../core/report/annotations.ts';

export const ANNOTATIONS_PER_REQUEST = 50;

export interface ChecksClient {
  create(body: Record<string, unknown>): Promise<{ id: number; html_url?: string }>;
  update(id: number, body: Record<string, unknown>): Promise<void>;
}

function toApi(a: Annotation) {
  return {
    path: a.file,
    start_line: a.line,
    end_line: a.endLine,
    // The API accepts columns only when the annotation stays on one line.
    ...(a.column !== undefined && a.line === a.endLine ? { start_column: a.column, end_column: a.endColumn } : {}),
    annotation_level: a.level === 'error' ? 'failure' : a.level,
    title: a.title.slice(0, 255),
    message: a.message.slice(0, 60_000),
  };
}

export async function publishCheckRun(
  client: ChecksClient,
  options: {
    name: string;
    headSha: string;
    conclusion: 'success' | 'failure' | 'neutral';
    title: string;
    summary: string;
    annotations: readonly Annotation[];
  },
): Promise<{ id: number; url?: string; requests: number }> {
  const batches: Annotation[][] = [];
  for (let i = 0; i < options.annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(options.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = (batch: readonly Annotation[] = []) => ({
    title: options.title,
    summary: options.summary.slice(0, 65_000),
    annotations: batch.map(toApi),
  });
  const last = batches.length <= 1;
  const created = await client.create({
    name: options.name,
    head_sha: options.headSha,
    ...(last ? { status: 'completed', conclusion: options.conclusion } : { status: 'in_progress' }),
    output: output(batches[0]),
  });
  try {
    for (let i = 1; i < batches.length; i++) {
      const final = i === batches.length - 1;
      await client.update(created.id, {
        ...(final ? { status: 'completed', conclusion: options.conclusion } : {}),
        output: output(batches[i]),
      });
    }
  } catch (error) {
    // Never leave a check run in progress on the pull request: close it, then report the failure.
    await client.update(created.id, { status: 'completed', conclusion: options.conclusion }).catch(() => undefined);
    throw error;
  }
  return { id: created.id, ...(created.html_url ? { url: created.html_url } : {}), requests: Math.max(1, batches.length) };
}
