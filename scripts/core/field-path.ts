import type { FieldPath } from './resource.js';

/** Longest field path read: the API server's paths are short; anything longer is not one. */
const MAX_PATH_CHARS = 1000;

/**
 * A field path as the Kubernetes API server writes it in a Status cause (apimachinery's
 * field.Path): `spec.template.spec.containers[0].ports[1].name`, a map key in brackets
 * (`data[bad key]`, `metadata.labels[app.kubernetes.io/name]`). Returns undefined for text
 * that is not one, so the caller falls back to the object's document.
 */
export function parseFieldPath(text: string | undefined): FieldPath | undefined {
  if (!text || text.length > MAX_PATH_CHARS) return undefined;
  const path: (string | number)[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) return undefined;
      const inside = text.slice(i + 1, end);
      path.push(/^\d+$/.test(inside) ? Number(inside) : inside);
      i = end + 1;
      if (text[i] === '.') i++;
      continue;
    }
    let end = i;
    while (end < text.length && text[end] !== '.' && text[end] !== '[') end++;
    const name = text.slice(i, end);
    if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return undefined;
    path.push(name);
    i = text[end] === '.' ? end + 1 : end;
  }
  return path.length > 0 ? path : undefined;
}

/**
 * The field path a server warning starts with (`spec.template.metadata.annotations[seccomp…]:
 * deprecated since v1.19…`), if it starts with one.
 */
export function leadingFieldPath(message: string): FieldPath | undefined {
  const match = /^([A-Za-z_$][\w$.\-[\]/]*?(?:\[[^\]]*\])*): /.exec(message);
  return match ? parseFieldPath(match[1]) : undefined;
}
