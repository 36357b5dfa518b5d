import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { type JsonObject, type JsonValue, type Resource, toResource } from '../core/resource.js';
import { ExitError } from '../lib/exit-error.js';
import { checkYamlShape } from './yaml-shape.js';

/** Limits that keep a hostile file from hanging the parser or exhausting memory. */
export const YAML_LIMITS = {
  /** Alias expansions per document; an alias bomb exceeds this at once. */
  maxAliasCount: 100,
  /** Bytes of YAML in one file (a rendered stream may be larger: kustomize's output is bounded on its own). */
  maxBytes: 64 * 1024 * 1024,
};

export interface ParsedYaml {
  documents: Document.Parsed[];
  lineCounter: LineCounter;
}

/** Parses a YAML stream keeping node ranges; the first syntax error becomes an ExitError at its line. */
export function parseYamlWithPositions(text: string, file: string): ParsedYaml {
  if (text.length > YAML_LIMITS.maxBytes) {
    throw new ExitError(`larger than ${YAML_LIMITS.maxBytes >> 20} MiB of YAML`, 2, { file });
  }
  // Document count and nesting are measured first: the parser's own cost grows with both.
  checkYamlShape(text, file);
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(documents)) {
    // parseAllDocuments returns an EmptyStream for empty input: no documents.
    return { documents: [], lineCounter };
  }
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      const at = lineCounter.linePos(error.pos[0]);
      throw new ExitError(`invalid YAML: ${firstLine(error.message)}`, 2, {
        file,
        line: at.line,
        column: at.col,
      });
    }
  }
  return { documents, lineCounter };
}

/** Converts a parsed document to plain data, refusing alias bombs and non-object roots. */
export function documentToJson(document: Document.Parsed, file: string, lineCounter: LineCounter): JsonValue {
  try {
    return document.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount }) as JsonValue;
  } catch (error) {
    const at = lineCounter.linePos(document.range[0]);
    const reason = error instanceof Error ? firstLine(error.message) : String(error);
    throw new ExitError(`YAML rejected: ${reason}`, 2, { file, line: at.line, column: at.col });
  }
}

const ORIGIN_ANNOTATION = 'config.kubernetes.io/origin';

/** Where kustomize says a rendered object came from (buildMetadata: [originAnnotations]). */
export interface ResourceOrigin {
  /** A resource file, relative to the rendered kustomization directory. */
  path?: string;
  /** For generated objects: the kustomization file that configured the generator. */
  configuredIn?: string;
  generator?: string;
}

export interface RenderedOverlay {
  resources: Resource[];
  /** Parallel to `resources`: kustomize's origin annotation, when the kustomization asked for one. */
  origins: (ResourceOrigin | undefined)[];
  /** Parallel to `resources`: each document's YAML text, for kubeconform. */
  texts: string[];
}

/** Parses kustomize's output into resources, lifting the origin annotations off them. */
export function parseRenderedStream(text: string, label: string): RenderedOverlay {
  const { documents, lineCounter } = parseYamlWithPositions(text, label);
  const resources: Resource[] = [];
  const origins: (ResourceOrigin | undefined)[] = [];
  const texts: string[] = [];
  for (const document of documents) {
    const value = documentToJson(document, label, lineCounter);
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      const at = lineCounter.linePos(document.range[0]);
      throw new ExitError('a rendered document is not a Kubernetes object', 2, {
        file: label,
        line: at.line,
      });
    }
    texts.push(text.slice(document.range[0], document.range[2]));
    origins.push(takeOrigin(value));
    resources.push(toResource(value, resources.length));
  }
  return { resources, origins, texts };
}

/** kustomize-batch's objects as parseRenderedStream gives a stream's: no YAML to read again. */
export function renderedFromDocuments(
  documents: readonly { yaml: string; object: JsonObject }[],
  label: string,
): RenderedOverlay {
  const resources: Resource[] = [];
  const origins: (ResourceOrigin | undefined)[] = [];
  const texts: string[] = [];
  for (const [index, { yaml, object }] of documents.entries()) {
    if (object === null || typeof object !== 'object' || Array.isArray(object)) {
      throw new ExitError(`rendered document ${index + 1} is not a Kubernetes object`, 2, { file: label });
    }
    texts.push(yaml);
    origins.push(takeOrigin(object));
    resources.push(toResource(object, resources.length));
  }
  return { resources, origins, texts };
}

function takeOrigin(body: JsonObject): ResourceOrigin | undefined {
  const metadata = body.metadata;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  const annotations = metadata.annotations;
  if (!annotations || typeof annotations !== 'object' || Array.isArray(annotations)) return undefined;
  const raw = annotations[ORIGIN_ANNOTATION];
  if (typeof raw !== 'string') return undefined;
  delete annotations[ORIGIN_ANNOTATION];
  if (Object.keys(annotations).length === 0) delete metadata.annotations;
  return parseOrigin(raw);
}

function parseOrigin(raw: string): ResourceOrigin {
  const origin: ResourceOrigin = {};
  for (const line of raw.split('\n')) {
    const match = /^\s*(path|configuredIn|kind):\s*(.+?)\s*$/.exec(line);
    if (!match) continue;
    const [, key, value] = match;
    if (key === 'path') origin.path = value;
    else if (key === 'configuredIn') origin.configuredIn = value;
    else if (key === 'kind') origin.generator = value;
  }
  return origin;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}
