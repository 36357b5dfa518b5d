import { type ParseArgsConfig, parseArgs } from 'node:util';
import { EXIT_ERROR, ExitError } from './exit-error.js';

/**
 * node:util's parseArgs (strict by default) for every command: a bad command line becomes one
 * ExitError (exit 2) with parseArgs' reason, then the command's usage.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  usage: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExitError(`${reason}\n\n${usage}`, EXIT_ERROR);
  }
}
