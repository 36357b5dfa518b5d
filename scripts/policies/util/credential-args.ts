/**
 * Credentials passed on a container's command line (`--password x`, `--token=x`, `redis-cli -a x`,
 * `mysql -px`). A command line is printed by `kubectl describe`, visible in `ps` on the node and in
 * the Pod spec to anyone who can read it.
 */

/** One command-line element (of the container's `command` then `args`) that carries a credential. */
export interface ArgumentCredential {
  /** Index in the joined `command` + `args` list. */
  index: number;
  /** The flag, as written (never the value). */
  flag: string;
}

export interface ArgumentRules {
  /** Whether a flag name (without its dashes) means a credential. */
  namedLikeCredential: (name: string) => boolean;
  /** Whether a value is a literal (not a placeholder, `$VAR` reference, path, number or flag). */
  isLiteral: (value: string) => boolean;
}

/** Tools whose short option takes a password: `redis-cli -a x`, `sshpass -p x`; `mysql -px` attached. */
const SEPARATE_PASSWORD_OPTION: Readonly<Record<string, string>> = { 'redis-cli': '-a', sshpass: '-p' };
const ATTACHED_PASSWORD_TOOLS = new Set([
  'mysql',
  'mysqladmin',
  'mysqldump',
  'mariadb',
  'mariadb-admin',
  'mariadb-dump',
]);

const LONG_FLAG = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/;
const FLAG_WITH_VALUE = /^(--?[A-Za-z][A-Za-z0-9_.-]*)=(.*)$/s;
/** Shell words that end one command and start the next, so a tool's options stop applying. */
const COMMAND_SEPARATOR = /^(;|&&|\|\||\||&)$/;
const MAX_FLAG_SHOWN = 64;

/** A shell script's words, roughly: split on blanks, quotes dropped. Enough to find `--flag=value`. */
function shellWords(script: string): string[] {
  return script
    .split(/\s+/)
    .flatMap((word) => (word.endsWith(';') ? [word.slice(0, -1), ';'] : [word]))
    .map((word) => word.replace(/["']/g, ''))
    .filter((word) => word !== '');
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** Findings among `words`, each at the index of the word that holds the value. */
function scanWords(words: readonly string[], rules: ArgumentRules): ArgumentCredential[] {
  const found: ArgumentCredential[] = [];
  let tool: string | undefined;
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    const next = words[index + 1];
    if (COMMAND_SEPARATOR.test(word)) {
      tool = undefined;
      continue;
    }
    const name = baseName(word);
    if (name in SEPARATE_PASSWORD_OPTION || ATTACHED_PASSWORD_TOOLS.has(name)) {
      tool = name;
      continue;
    }
    const assigned = FLAG_WITH_VALUE.exec(word);
    if (assigned?.[1] && credentialFlag(assigned[1], rules) && rules.isLiteral(assigned[2] ?? '')) {
      found.push({ index, flag: assigned[1] });
      continue;
    }
    const flag = LONG_FLAG.exec(word);
    const takesValue = next !== undefined && !next.startsWith('-') && !COMMAND_SEPARATOR.test(next);
    if (flag && takesValue && rules.isLiteral(next)) {
      const toolOption = tool !== undefined && SEPARATE_PASSWORD_OPTION[tool] === word;
      if (toolOption || (word.startsWith('--') && credentialFlag(word, rules))) {
        found.push({ index: index + 1, flag: word });
        index++;
        continue;
      }
    }
    if (tool !== undefined && ATTACHED_PASSWORD_TOOLS.has(tool) && /^-p.+/.test(word)) {
      if (rules.isLiteral(word.slice(2))) found.push({ index, flag: '-p' });
    }
  }
  return found;
}

function credentialFlag(flag: string, rules: ArgumentRules): boolean {
  const name = flag.replace(/^-+/, '');
  // `--no-password` switches a credential off; it names none.
  return !/^no[_-]/i.test(name) && rules.namedLikeCredential(name);
}

/**
 * The elements of a container's command line (`command` then `args`, joined) that pass a credential.
 * An element with blanks in it is a shell script (`sh -c "…"`) and is searched word by word; a
 * finding there points at the whole element.
 */
export function credentialArguments(line: readonly string[], rules: ArgumentRules): ArgumentCredential[] {
  const found = scanWords(line, rules);
  line.forEach((element, index) => {
    if (!/\s/.test(element)) return;
    const inScript = scanWords(shellWords(element), rules)[0];
    if (inScript && !found.some((each) => each.index === index)) found.push({ index, flag: inScript.flag });
  });
  return found
    .map((each) => ({ index: each.index, flag: each.flag.slice(0, MAX_FLAG_SHOWN) }))
    .sort((a, b) => a.index - b.index);
}
