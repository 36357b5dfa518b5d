/** Exit codes shared by every command: 0 clean, 1 findings, 2 input or tool error. */
export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export interface ErrorLocation {
  /** File relative to the repository root (or as the user gave it). */
  file: string;
  line?: number;
  column?: number;
}

/**
 * An error the user can act on: printed as one line naming the file (and line), never as a
 * stack trace. Thrown anywhere, caught once by `runMain`.
 */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT_ERROR,
    readonly location?: ErrorLocation,
  ) {
    super(message);
    this.name = 'ExitError';
  }

  /** `file:line:column: message`, the shape editors and terminals link. */
  format(): string {
    const loc = this.location;
    if (!loc) return this.message;
    const where = [loc.file, loc.line, loc.line !== undefined ? loc.column : undefined]
      .filter((part) => part !== undefined)
      .join(':');
    return `${where}: ${this.message}`;
  }
}
