import { beforeAll, describe, expect, it } from 'vitest';
import { checkSchemas, findKubeconform } from '../../scripts/schema/kubeconform.js';
import { renderOverlay, TIMEOUT, useDefaultSchemaSettings } from './helpers.js';

beforeAll(async () => {
  useDefaultSchemaSettings();
  await findKubeconform();
}, TIMEOUT);

describe("this repository's overlays", { timeout: TIMEOUT }, () => {
  it.each(['overlays/dev', 'overlays/prod'])('%s renders to objects that all pass', async (overlay) => {
    const rendered = await renderOverlay(overlay);
    const results = await checkSchemas(rendered);
    expect(results.length).toBeGreaterThan(5);
    expect(results.filter((result) => result.status !== 'valid')).toEqual([]);
    expect(results.map((result) => result.index)).toEqual(results.map((_, i) => i));
  });
});
