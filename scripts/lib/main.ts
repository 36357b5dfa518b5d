import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_ERROR, ExitError } from './exit-error.js';

/** True when the module at `importMetaUrl` is the script node was asked to run. */
export function isMainModule(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(importMetaUrl));
  } catch {
    return false;
  }
}

/**
 * The one place a command's exit code is set. `main` returns the code; an ExitError becomes
 * its one-line message; anything else is a bug, reported in one line with a hint (the stack
 * only with DEBUG=1).
 */
export async function runMain(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (error instanceof ExitError) {
      process.stderr.write(`error: ${error.format()}\n`);
      process.exitCode = error.code;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: internal error: ${message}\n`);
    if (process.env.DEBUG === '1' && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    } else {
      process.stderr.write('(set DEBUG=1 for the stack trace, and please report it)\n');
    }
    process.exitCode = EXIT_ERROR;
  }
}
