/**
 * What the builds (build.mjs, and snapshot.mjs for startup snapshots) hand esbuild besides the
 * entry: the packages left to node's resolver, and the plugins that keep each source's own
 * import.meta.url and put the precompiled config validator in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Packages left to node's resolver: native addons, worker files or files read next to their own code. */
export const EXTERNAL_PACKAGES = ['esbuild', 'fsevents'];

/**
 * Our sources use `import.meta.url` to find the package's files (PACKAGE_ROOT, REPO_ROOT) and to tell
 * whether they are the command being run (isMainModule). Bundled, that would be the chunk's URL, so
 * each source file keeps its own: the launcher sets process.argv[1] to the source entry to match.
 */
export function sourceUrlPlugin(root) {
  return {
    name: 'source-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(join(root, 'scripts'))) return undefined;
        const text = readFileSync(args.path, 'utf8');
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/** Generated at build time in place of scripts/config/precompiled.ts (see there). */
const PRECOMPILED_SOURCE = 'scripts/config/precompiled.ts';
/** What the config validator is generated from: the docs generator writes it from the rule catalogue. */
const CONFIG_SCHEMA_FILE = 'schemas/validate-config.schema.json';
const AJV_OPTIONS_FILE = 'scripts/config/ajv-options.json';

/**
 * The config validator as ajv standalone code, compiled from the schema file at build time rather
 * than on every run. The loader uses it only when its schema text equals the catalogue's (else it
 * compiles then; compact JSON on both sides, since the file is formatted): a schema file behind the
 * sources costs time, never a wrong verdict. Without the
 * file (a copy of scripts/ alone) the module stays as written: no precompiled validator.
 */
async function precompiledValidatorCode(root) {
  let schema;
  try {
    schema = JSON.parse(readFileSync(join(root, CONFIG_SCHEMA_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const [{ Ajv, _ }, standalone] = await Promise.all([import('ajv'), import('ajv/dist/standalone/index.js')]);
  const options = JSON.parse(readFileSync(join(root, AJV_OPTIONS_FILE), 'utf8'));
  // The formats are functions: the generated code refers to scripts/config/formats.ts by name.
  const ajv = new Ajv({ ...options, code: { source: true, esm: true, formats: _`configFormats` } });
  ajv.addFormat('date', () => true);
  ajv.addFormat('regex', () => true);
  const code = (standalone.default?.default ?? standalone.default)(ajv, ajv.compile(schema));
  return `${code}
import { configFormats } from './formats.js';
export const precompiledValidator = { schemaText: ${JSON.stringify(JSON.stringify(schema))}, validate };
`;
}

export function precompiledValidatorPlugin(root, extraInputs) {
  const source = join(root, PRECOMPILED_SOURCE);
  return {
    name: 'precompiled-config-validator',
    setup(build) {
      build.onLoad({ filter: /precompiled\.ts$/ }, async (args) => {
        if (args.path !== source) return undefined;
        extraInputs.add(CONFIG_SCHEMA_FILE);
        extraInputs.add(AJV_OPTIONS_FILE);
        const contents = await precompiledValidatorCode(root);
        return contents === undefined
          ? undefined
          : { contents, loader: 'ts', resolveDir: join(root, 'scripts', 'config') };
      });
    },
  };
}
