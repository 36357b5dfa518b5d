/**
 * Bounds on validate.config.yaml, so that a config file cannot make a run take unbounded time or
 * memory. The generated JSON Schema carries them, so an editor shows them and the loader reports
 * a breach with file and line. Pattern limits are in patterns.ts.
 */

/** Largest config file read, in bytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Most entries in `suppressions`. */
export const MAX_SUPPRESSIONS = 1000;

/** Most entries in any list of a rule's options (patterns, placeholders, keys) and in `schema.locations`. */
export const MAX_LIST_ITEMS = 200;

/** Most entries in `environments` and in `env`. */
export const MAX_ENVIRONMENTS = 100;

/** Longest kind, name (glob), namespace or overlay of a suppression: Kubernetes' longest name. */
export const MAX_NAME_LENGTH = 253;

/** Longest suppression reason. */
export const MAX_REASON_LENGTH = 2000;
