// SIGINT and SIGTERM are caught from the launcher's first line (bin/provspec.js), before the
// CLI is even loaded, so that a signal during start-up is never the default "die at once": the
// first one asks the command to stop (a run stops sending and cleans up; serve closes its
// server); a second one exits at once. This module shares that state with the commands, and
// installs the same handlers when the CLI is started some other way.

export interface SignalState {
  /** Aborted by the first signal; its reason is the signal's name. */
  controller: AbortController;
  count: number;
}

const KEY = Symbol.for('provspec.signals');

/** The process's signal state, installing the handlers if the launcher did not. */
export function catchSignals(stderr: { write(text: string): unknown } = process.stderr): SignalState {
  const global = globalThis as { [KEY]?: SignalState };
  const existing = global[KEY];
  if (existing) return existing;
  const state: SignalState = { controller: new AbortController(), count: 0 };
  const onSignal = (signal: NodeJS.Signals) => {
    state.count++;
    if (state.count > 1) {
      stderr.write(`provspec: ${signal} again; exiting without finishing cleanup.\n`);
      process.exit(130);
    }
    state.controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  global[KEY] = state;
  return state;
}
