// `provspec lsp --stdio`: the language server, for editors other than VS Code.
import type { CommandIO } from '../io.ts';
import { UsageError } from '../files.ts';

export const LSP_HELP = `Usage: provspec lsp --stdio

Runs the provspec language server (diagnostics, completion, hover, quick fixes, outline,
navigation, rename, formatting, "Run scenario" code lenses) over stdin/stdout.`;

export async function lspCommand(argv: string[], io: CommandIO): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(`${LSP_HELP}\n`);
    return 0;
  }
  if (!argv.includes('--stdio')) throw new UsageError('the language server speaks over stdio: provspec lsp --stdio');
  // Loaded only here, so other commands do not pay for the LSP libraries at start-up.
  const { startServer } = await import('../../server/connection.ts');
  startServer();
  // The connection ends the process when the client says exit.
  return new Promise<number>(() => undefined);
}
