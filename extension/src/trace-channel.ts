// Where `provspec.trace.server` writes. vscode-languageclient 11 traces the protocol only while
// its trace channel's log level is Trace (set by hand with "Developer: Set Log Level…"), and at
// trace level, which an ordinary log channel hides: the setting alone wrote nothing. This channel
// is at Trace exactly while the setting is not "off", and writes each traced message as a line.
import * as vscode from 'vscode';

export const TRACE_CHANNEL = 'provspec language server (trace)';

export function serverTraceChannel(): vscode.LogOutputChannel {
  const out = vscode.window.createOutputChannel(TRACE_CHANNEL);
  const changed = new vscode.EventEmitter<vscode.LogLevel>();
  const level = () =>
    vscode.workspace.getConfiguration('provspec').get<string>('trace.server', 'off') === 'off'
      ? vscode.LogLevel.Info
      : vscode.LogLevel.Trace;
  let current = level();
  const watching = vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration('provspec.trace.server')) return;
    current = level();
    changed.fire(current);
  });
  const line =
    (kind: string) =>
    (message: string | Error, ...args: unknown[]): void => {
      const text = message instanceof Error ? message.message : message;
      out.appendLine(`${kind ? `[${kind}] ` : ''}${text}${args.length ? ` ${args.map(String).join(' ')}` : ''}`);
    };
  return {
    name: out.name,
    get logLevel() {
      return current;
    },
    onDidChangeLogLevel: changed.event,
    trace: line(''),
    debug: line('debug'),
    info: line('info'),
    warn: line('warning'),
    error: line('error'),
    append: (value) => out.append(value),
    appendLine: (value) => out.appendLine(value),
    replace: (value) => out.replace(value),
    clear: () => out.clear(),
    show: ((column?: vscode.ViewColumn | boolean, preserveFocus?: boolean) =>
      typeof column === 'boolean' || column === undefined
        ? out.show(column)
        : out.show(column, preserveFocus)) as vscode.LogOutputChannel['show'],
    hide: () => out.hide(),
    dispose: () => {
      watching.dispose();
      changed.dispose();
      out.dispose();
    },
  };
}
