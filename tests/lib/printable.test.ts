import { describe, expect, it } from 'vitest';
import { printableLine } from '../../scripts/lib/printable.js';

describe('printableLine', () => {
  it('collapses control and format characters to one space, on one line', () => {
    expect(printableLine('a\nb\r\nc\rd\te\u001b[0mf\u0085g\u2028h\u2029i\u202ej\u200bk\u0000l', 100)).toBe(
      'a b c d e [0mf g h i j k l',
    );
    expect(printableLine('  \n lead and trail \n ', 100)).toBe('lead and trail');
  });

  it('escapes both forms of GitHub workflow command', () => {
    expect(printableLine('::error title=x::boom', 100)).toBe(':%3Aerror title=x:%3Aboom');
    expect(printableLine('see ##[error]legacy and ##[stop-commands]tok', 100)).toBe(
      'see ##%5Berror]legacy and ##%5Bstop-commands]tok',
    );
    expect(printableLine(':::: ###[x', 100)).toBe(':%3A:%3A ###%5Bx');
    // A zero-width character cannot hide a command marker either: it becomes a space.
    expect(printableLine('#\u200b#[error]x :\u200b:', 100)).toBe('# #[error]x : :');
  });

  it('is bounded, marks the cut, and never ends on half a character', () => {
    expect(printableLine('x'.repeat(5_000_000), 50)).toBe(`${'x'.repeat(50)}…[cut]`);
    expect(printableLine(`${'a'.repeat(9)}😀`, 10)).toBe(`${'a'.repeat(9)}…[cut]`);
    // Collapsing first: a long run of newlines does not count against the bound.
    expect(printableLine(`ok${'\n'.repeat(1000)}done`, 20)).toBe('ok done');
  });

  it('is idempotent, so text escaped by a reader and again at print stays the same', () => {
    const once = printableLine('::error::x ##[y] %0A', 100);
    expect(printableLine(once, 100)).toBe(once);
  });
});
