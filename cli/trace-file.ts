// A trace file read for `show` and `replay`: bounded, and every problem a usage error that names
// the file (and the line, for a line that is not an event).
import { readFile, stat } from 'node:fs/promises';
import { parseTrace, TraceFormatError, type TraceEvent } from '../core/report/journey.ts';
import { UsageError } from './files.ts';

/** A trace is read whole; one far larger than any run writes is refused rather than loaded. */
const MAX_TRACE_BYTES = 512 * 1024 * 1024;

export async function readTraceFile(file: string, shown: string): Promise<TraceEvent[]> {
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > MAX_TRACE_BYTES) throw new UsageError(`${shown} is ${size} bytes: more than the ${MAX_TRACE_BYTES} a trace may be`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${shown} cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseTrace(text, shown);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new UsageError(error.message);
    throw error;
  }
}
