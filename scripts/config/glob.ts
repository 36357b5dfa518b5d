/**
 * Glob matching for names in validate.config.yaml: `*` matches any run of characters (also none),
 * every other character is literal. The greedy two-pointer algorithm never backtracks further
 * than the last `*`, so it takes at most O(glob length × text length) steps whatever the number
 * of stars (a RegExp of `.*` parts backtracks exponentially on `*a*a*a…*b`).
 */
export function globMatches(glob: string, text: string): boolean {
  let g = 0;
  let t = 0;
  // Where the last `*` was, and the text position it currently stands for the end of.
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (g < glob.length && glob[g] !== '*' && glob[g] === text[t]) {
      g++;
      t++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = t;
    } else if (star >= 0) {
      // Let the last star swallow one more character and retry what follows it.
      g = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}

/** The hash kustomize appends to a generated ConfigMap or Secret name: `-` and 10 characters. */
const GENERATOR_SUFFIX = /-[a-z0-9]{10}$/;

/** A generated object's name: `glob` matches it once kustomize's `-<10-character hash>` is taken off. */
export function globMatchesGenerated(glob: string, name: string): boolean {
  return GENERATOR_SUFFIX.test(name) && globMatches(glob, name.slice(0, -11));
}
