/**
 * The one field manager every write of this project uses (deploy, the cluster's own objects, the
 * tests), so a later server-side apply never conflicts with an earlier one of ours.
 */
export const FIELD_MANAGER = 'triage-gitops';
