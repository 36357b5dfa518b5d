/** What stands in for a hidden part of a URL. */
export const HIDDEN = '***';

/**
 * `code=abc&x=1` → `code=***&x=***`. Names stay, values go: a query often carries a token or a
 * one-time code. A bare item (`?abc123`) has no name to keep, so it is hidden whole.
 */
function hideQueryValues(query: string): string {
  return query
    .split('&')
    .map((item) => {
      if (item === '') return item;
      const equals = item.indexOf('=');
      return equals === -1 ? HIDDEN : `${item.slice(0, equals)}=${HIDDEN}`;
    })
    .join('&');
}

/**
 * A text that is not a URL (it went into an error message): no parser said where its parts are,
 * so hide generously. Everything from `//` to the last `@` may be credentials, even with a `/`
 * or `?` inside, and everything after the first `?` or `#` may be a query or fragment.
 */
function hideInText(text: string): string {
  let out = text;
  const at = out.lastIndexOf('@');
  if (at !== -1) {
    const scheme = out.indexOf('//');
    const from = scheme !== -1 && scheme < at ? scheme + 2 : 0;
    out = `${out.slice(0, from)}${HIDDEN}${out.slice(at)}`;
  }
  const hash = out.indexOf('#');
  if (hash !== -1) out = `${out.slice(0, hash)}#${HIDDEN}`;
  const question = out.indexOf('?');
  if (question !== -1) out = `${out.slice(0, question)}?${hideQueryValues(out.slice(question + 1))}`;
  return out;
}

/**
 * The form of a URL that may be shown anywhere (terminal, CI log, job summary, report files):
 * scheme, host, port and path as given; user and password as `***:***@`, every query value as
 * `***`, a fragment as `#***`. The real URL is for the requests only.
 */
export function displayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return hideInText(value);
  }
  // Other schemes may have no authority (`user:secret@host` parses as scheme `user:`).
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return hideInText(value);
  // Built by hand: URL's setters would percent-encode or drop parts, and its host is what matters.
  const userinfo = url.username || url.password ? `${HIDDEN}${url.password ? `:${HIDDEN}` : ''}@` : '';
  const query = url.search.length > 1 ? `?${hideQueryValues(url.search.slice(1))}` : '';
  const fragment = url.hash.length > 1 ? `#${HIDDEN}` : '';
  return `${url.protocol}//${userinfo}${url.host}${url.pathname}${query}${fragment}`;
}
