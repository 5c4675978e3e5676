// Text that came from a server (response bodies, error details) is printed between
// ::stop-commands:: markers with a random end token, so a hostile endpoint cannot issue
// workflow commands (set outputs, add paths, fake annotations) through our log.
import { randomBytes } from 'node:crypto';

export function untrusted(write: (text: string) => void, text: string): void {
  const token = `provspec-${randomBytes(16).toString('hex')}`;
  write(`::stop-commands::${token}\n${text.endsWith('\n') ? text : `${text}\n`}::${token}::\n`);
}
