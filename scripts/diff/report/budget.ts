/**
 * One character budget for a whole document. Every piece is counted as it is printed (after
 * escaping), so the document can never be longer than the limit, whatever the input.
 *
 * Lengths are UTF-16 code units (`String.length`): never fewer than the characters GitHub counts.
 */
export class TextBudget {
  private readonly parts: string[] = [];
  private used = 0;

  /** `reserve` characters stay free for the closing note: only `addReserved` may use them. */
  constructor(
    readonly limit: number,
    private readonly reserve: number,
  ) {
    if (reserve >= limit)
      throw new RangeError(`a ${limit}-character budget cannot keep ${reserve} in reserve`);
  }

  /** Characters that ordinary pieces may still use. */
  get remaining(): number {
    return Math.max(0, this.limit - this.reserve - this.used);
  }

  get length(): number {
    return this.used;
  }

  /** Adds `text` when it fits outside the reserve; returns whether it was added. */
  tryAdd(text: string): boolean {
    if (text.length > this.remaining) return false;
    this.push(text);
    return true;
  }

  /** Adds `text` that must appear (the header, the truncation note); it may use the reserve. */
  addRequired(text: string): void {
    if (this.used + text.length > this.limit) {
      // Callers size the reserve for everything they require: reaching this is a bug, not bad input.
      throw new RangeError(`${text.length} characters do not fit the ${this.limit - this.used} left`);
    }
    this.push(text);
  }

  toString(): string {
    return this.parts.join('');
  }

  private push(text: string): void {
    this.parts.push(text);
    this.used += text.length;
  }
}
