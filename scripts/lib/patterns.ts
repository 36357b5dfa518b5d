import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';

/**
 * re2js, loaded on the first pattern compiled (require, not import: compiling stays synchronous):
 * a run whose configuration adds no pattern never loads it (about 7 ms of start-up).
 */
let re2js: typeof RE2JS | undefined;
function engine(): typeof RE2JS {
  re2js ??= (createRequire(import.meta.url)('re2js') as typeof import('re2js')).RE2JS;
  return re2js;
}

/**
 * Regular expressions written in validate.config.yaml run on a linear-time engine (re2js, a port
 * of RE2): a pattern such as `^(a+)+$` cannot take exponential time on a crafted value, as it does
 * with JavaScript's backtracking engine. Every config string that becomes a RegExp goes through
 * `compileConfigPattern`; the config loader checks each one with `patternProblem`.
 */

/** Longest pattern the config may hold. */
export const MAX_PATTERN_LENGTH = 500;

/**
 * Largest compiled program (RE2's measure of a pattern's cost; matching takes time proportional
 * to program size × text length). The built-in patterns are under 200.
 */
export const MAX_PROGRAM_SIZE = 5000;

/** The config's flags, as re2js names them. */
const FLAG_NAMES: Record<string, 'CASE_INSENSITIVE' | 'MULTILINE' | 'DOTALL'> = {
  i: 'CASE_INSENSITIVE',
  m: 'MULTILINE',
  s: 'DOTALL',
};

/**
 * A RegExp whose matching runs in RE2. `test`, `String#match`, `replace` and `search` all go
 * through `exec`, so they run in linear time too; `split` and `matchAll` would build a native
 * copy (a backtracking one), so they are refused.
 */
class LinearTimeRegExp extends RegExp {
  readonly #matcher: RE2JS;

  constructor(source: string, flags: string, matcher: RE2JS) {
    super(source, flags);
    this.#matcher = matcher;
  }

  override exec(text: string): RegExpExecArray | null {
    return this.#matcher.exec(String(text)) as RegExpExecArray | null;
  }

  override [Symbol.split](): string[] {
    throw new Error(`split is not supported on the config pattern /${this.source}/`);
  }

  override [Symbol.matchAll](): RegExpStringIterator<RegExpExecArray> {
    throw new Error(`matchAll is not supported on the config pattern /${this.source}/`);
  }
}

/** Why `source` cannot be used as a config pattern, or undefined when it can. */
export function patternProblem(source: string, flags = ''): string | undefined {
  return compile(source, flags).problem;
}

/**
 * The config pattern `source` as a RegExp that matches in linear time. Throws an Error saying why
 * when the pattern is not usable (the config loader reports that with file and line first).
 */
export function compileConfigPattern(source: string, flags = ''): RegExp {
  const result = compile(source, flags);
  if (result.problem !== undefined) {
    throw new Error(`/${source.slice(0, 80)}/ is not a usable regular expression: ${result.problem}`);
  }
  return result.pattern;
}

/**
 * Every pattern of a list, compiled with `compileConfigPattern`; those equal to one of `builtIn`
 * (the rule's own defaults: code of this repository, reviewed, never a user's input) run on
 * JavaScript's engine instead, which matches them about 20 times faster than re2js (40 key names
 * against the 18 default credential-name patterns: 1 ms, against 33 ms to compile and match them
 * in re2js). A config string equal to a default is the same pattern, with the same cost.
 */
export function compileConfigPatterns(
  sources: readonly string[],
  flags = '',
  builtIn: readonly string[] = [],
): RegExp[] {
  // Policies ask once per object checked, with the same option lists: the list's patterns are
  // kept with it (1,000 objects: about 30 ms of compiling lookups and their garbage otherwise).
  const byList =
    compiledLists.get(sources) ?? new Map<string, { builtIn: readonly string[]; patterns: RegExp[] }>();
  compiledLists.set(sources, byList);
  const known = byList.get(flags);
  if (known?.builtIn === builtIn) return known.patterns;
  const patterns = sources.map((source) =>
    builtIn.includes(source) ? builtInPattern(source, flags) : compileConfigPattern(source, flags),
  );
  byList.set(flags, { builtIn, patterns });
  return patterns;
}

/** compileConfigPatterns' answers by option list, then flags: gone with the configuration. */
const compiledLists = new WeakMap<
  readonly string[],
  Map<string, { builtIn: readonly string[]; patterns: RegExp[] }>
>();

const builtInCache = new Map<string, RegExp>();

function builtInPattern(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let pattern = builtInCache.get(key);
  if (!pattern) {
    pattern = new RegExp(source, flags);
    // Bounded by the rules' defaults: a few dozen strings in all.
    builtInCache.set(key, pattern);
  }
  return pattern;
}

type Compiled = { pattern: RegExp; problem?: undefined } | { pattern?: undefined; problem: string };

// Policies compile their options once per object checked; the cache keeps that cheap. Its size is
// bounded by the config's own limits, and it is cleared rather than grown past them.
const cache = new Map<string, Compiled>();
const MAX_CACHED = 1000;

function compile(source: string, flags: string): Compiled {
  const key = `${flags}/${source}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const result = compileUncached(source, flags);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, result);
  return result;
}

function compileUncached(source: string, flags: string): Compiled {
  if (source.length > MAX_PATTERN_LENGTH) {
    return { problem: `it is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed` };
  }
  let bits = 0;
  for (const flag of flags) {
    const name = FLAG_NAMES[flag];
    if (name === undefined) return { problem: `flag "${flag}" is not supported (only i, m, s)` };
    bits |= engine()[name];
  }
  let matcher: RE2JS;
  try {
    matcher = engine().compile(source, bits);
  } catch (error) {
    return { problem: unsupportedSyntax(source) ?? re2Reason(error) };
  }
  if (matcher.programSize() > MAX_PROGRAM_SIZE) {
    return {
      problem: `it compiles to ${matcher.programSize()} instructions; at most ${MAX_PROGRAM_SIZE} are allowed (use fewer or smaller {n} repeats)`,
    };
  }
  try {
    return { pattern: new LinearTimeRegExp(source, flags, matcher) };
  } catch (error) {
    // RE2 syntax that JavaScript does not read (e.g. `(?P<name>x)`): keep to what both accept.
    return { problem: `JavaScript does not read it: ${(error as Error).message}` };
  }
}

const LINEAR_ENGINE = 'patterns run on a linear-time engine (RE2 syntax)';

/** Clearer words than RE2's parser error for what people most often write (RE2 refused it). */
function unsupportedSyntax(source: string): string | undefined {
  if (/(^|[^\\])(\\\\)*\\([1-9]|k<)/.test(source)) {
    return `backreferences (\\1, \\k<name>) are not supported: ${LINEAR_ENGINE}`;
  }
  if (/(^|[^\\])(\\\\)*\(\?<?[=!]/.test(source)) {
    return `lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported: ${LINEAR_ENGINE}`;
  }
  return undefined;
}

function re2Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${message.replace(/^error parsing regexp: /, '')} (${LINEAR_ENGINE})`;
}
