/**
 * Container image references, checked the way the kubelet and containerd parse them
 * (github.com/distribution/reference `ParseNormalizedNamed`, digests by github.com/opencontainers/go-digest),
 * so that a reference the node cannot pull is reported with what exactly is wrong:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*      (at most 255 characters)
 *   domain    := host [ ":" port ]     host: DNS name (any case), IPv4, or [IPv6]
 *   path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex     (sha256: 64, sha384: 96, sha512: 128 lower-case hex digits)
 *
 * A hand-written parser rather than an npm port of the grammar: those only say "invalid reference
 * format", and placeholders (`<ACR_NAME>`, `${REGISTRY}`, `REPLACE_ME`) deserve their own message.
 */

export interface ImageReference {
  ok: true;
  /** Registry host (with port) when the reference names one; Docker Hub otherwise. */
  domain?: string;
  path: string;
  tag?: string;
  digest?: string;
}

export interface ImageReferenceProblem {
  ok: false;
  /** What is wrong, as a sentence fragment for a message. */
  problem: string;
  /** The placeholder left in the reference, when that is the problem. */
  placeholder?: string;
}

const NAME_TOTAL_LENGTH_MAX = 255;
const TAG = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[0-9a-fA-F:.]+\]$/;
const PORT = /^[0-9]+$/;
/** go-digest's registered algorithms and the length of their hex encoding. */
const DIGEST_HEX_LENGTH = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

/** Template syntax of the usual substitution tools (envsubst, Helm, Azure DevOps, docs). */
const TEMPLATE_PLACEHOLDER =
  /<[^<>]*>|\$\{[^}]*\}?|\$\([^)]*\)?|\{\{.*?(?:\}\}|$)|\$[A-Za-z_]\w*|__[A-Za-z0-9_]+__/;
/** SCREAMING_SNAKE words such as CONTAINER_IMAGES_REGISTRY or PROJECT_ID, and a few bare ones. */
const PLACEHOLDER_WORD =
  /^(?:[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)+|REPLACEME|CHANGEME|PLACEHOLDER|TODO|FIXME|REGISTRY|IMAGE|TAG|VERSION)$/;

const fail = (problem: string, placeholder?: string): ImageReferenceProblem =>
  placeholder === undefined ? { ok: false, problem } : { ok: false, problem, placeholder };

const placeholderProblem = (placeholder: string) =>
  fail(`${placeholder} is a placeholder left in the image`, placeholder);

/** Parses an image reference; a reference the container runtime would refuse comes back as a problem. */
export function parseImageReference(image: string): ImageReference | ImageReferenceProblem {
  if (image.trim() === '') return fail('the image name is empty');
  const template = TEMPLATE_PLACEHOLDER.exec(image);
  if (template) return placeholderProblem(template[0]);
  if (image.trim() !== image) return fail('the image has leading or trailing white space');

  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : undefined;

  const nameResult = checkName(name);
  if (!nameResult.ok) return nameResult;
  if (tag !== undefined) {
    const problem = tagProblem(tag);
    if (problem) return problem;
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) return fail(problem);
  }
  return {
    ...nameResult,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** The name part: Docker's rule for when the first component is a registry host, then each part. */
function checkName(name: string): ImageReference | ImageReferenceProblem {
  if (name === '') return fail('the image name is empty (only a tag or digest is given)');
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    return fail(`the repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  // As splitDockerDomain: a first component with '.', ':', upper case, or `localhost` is a registry.
  const isDomain =
    slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  const domain = isDomain ? first : undefined;
  const path = isDomain ? name.slice(slash + 1) : name;
  if (domain !== undefined) {
    // A dot-less, port-less upper-case host cannot be a registry anyone pulls from.
    if (!/[.:]/.test(domain)) return placeholderProblem(domain);
    const problem = domainProblem(domain);
    if (problem) return fail(problem);
  }
  const components = path.split('/');
  const word = components.find((each) => PLACEHOLDER_WORD.test(each));
  if (word) return placeholderProblem(word);
  if (path.toLowerCase() !== path) return fail(`the repository path ${path} must be lower case`);
  for (const component of components) {
    if (component === '') return fail(`the repository path ${path} has an empty component`);
    if (!PATH_COMPONENT.test(component)) {
      return fail(
        `the repository path component ${component} may hold only lower-case letters and digits, ` +
          'separated by one ".", one or two "_", or dashes',
      );
    }
  }
  return domain === undefined ? { ok: true, path } : { ok: true, domain, path };
}

function domainProblem(domain: string): string | undefined {
  const portColon = domain.startsWith('[') ? domain.indexOf(':', domain.indexOf(']')) : domain.indexOf(':');
  const host = portColon >= 0 ? domain.slice(0, portColon) : domain;
  const port = portColon >= 0 ? domain.slice(portColon + 1) : undefined;
  if (port !== undefined && !PORT.test(port)) return `the registry port in ${domain} must be a number`;
  if (IPV6_HOST.test(host)) return undefined;
  if (host === '' || !host.split('.').every((each) => DOMAIN_COMPONENT.test(each))) {
    return `the registry host ${host} is not a valid host name`;
  }
  return undefined;
}

function tagProblem(tag: string): ImageReferenceProblem | undefined {
  if (tag === '') return fail('the tag after ":" is empty');
  if (PLACEHOLDER_WORD.test(tag)) return placeholderProblem(tag);
  if (tag.length > 128) return fail('the tag is longer than 128 characters');
  if (!TAG.test(tag)) {
    return fail(
      `the tag ${tag} may hold only letters, digits, "_", "." and "-", and must not start with "." or "-"`,
    );
  }
  return undefined;
}

function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  if (colon < 0) return `the digest ${digest} must be algorithm:hex, such as sha256:<64 hex digits>`;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH.get(algorithm);
  if (length === undefined) {
    return `the digest algorithm ${algorithm} is not one of ${[...DIGEST_HEX_LENGTH.keys()].join(', ')}`;
  }
  if (!/^[0-9a-f]*$/.test(hex))
    return `the ${algorithm} digest may hold only the lower-case hex digits 0-9 and a-f`;
  if (hex.length !== length) {
    return `the ${algorithm} digest must have ${length} hex digits, not ${hex.length}`;
  }
  return undefined;
}
