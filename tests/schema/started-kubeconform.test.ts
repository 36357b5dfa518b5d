import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../scripts/lib/process.js';
import { parseRenderedStream } from '../../scripts/render/parse.js';
import {
  checkDocuments,
  findKubeconform,
  type SchemaDocument,
  startKubeconform,
} from '../../scripts/schema/kubeconform.js';
import { REPO_ROOT } from '../../scripts/schema/settings.js';
import {
  deployment,
  emptyDir,
  fakeKubeconform,
  renderOverlay,
  TIMEOUT,
  useDefaultSchemaSettings,
  WIDGET_CRD,
} from './helpers.js';

let binary: string;
beforeAll(async () => {
  useDefaultSchemaSettings();
  binary = await findKubeconform();
}, TIMEOUT);

/** Documents as the engine gives them to the schema stage. */
function documentsOf(stream: string): SchemaDocument[] {
  const overlay = parseRenderedStream(stream, 'test');
  return overlay.resources.map((resource, index) => ({
    text: overlay.texts[index] ?? '',
    body: resource.body,
    kind: resource.kind,
    name: resource.name,
  }));
}

/** The real kubeconform behind a script that counts how often it is started. */
function countingKubeconform(): { wrapper: string; runs: () => number } {
  const dir = emptyDir();
  const wrapper = fakeKubeconform(`echo run >> ${dir}/runs; exec ${binary} "$@"`);
  const runs = () =>
    existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').trim().split('\n').length : 0;
  return { wrapper, runs };
}

describe('startKubeconform (started before the objects exist)', { timeout: TIMEOUT }, () => {
  it("gives checkDocuments' results for this repository's rendered overlays plus an invalid object", async () => {
    const stream = [
      await renderOverlay(join(REPO_ROOT, 'overlays/dev')),
      await renderOverlay(join(REPO_ROOT, 'overlays/prod')),
      deployment('          imagePullPolicyy: Always\n'),
    ].join('---\n');
    const documents = documentsOf(stream);
    // Warm-up kinds: those rendered, one the schemas do not have, and one nothing renders.
    const kinds = [
      ...documents.map((doc) => ({
        apiVersion: String((doc.body as { apiVersion?: unknown }).apiVersion),
        kind: doc.kind,
      })),
      { apiVersion: 'example.com/v1', kind: 'Widget' },
      { apiVersion: 'batch/v1', kind: 'CronJob' },
    ];
    const { wrapper, runs } = countingKubeconform();
    const results = await startKubeconform(kinds, { binary: wrapper }).check(documents);
    // One kubeconform: the one started before the objects came, not a fresh one after it.
    expect(runs()).toBe(1);
    expect(results).toEqual(await checkDocuments(documents, { binary }));
    expect(results).toHaveLength(documents.length);
    expect(results.filter((result) => result.status === 'invalid').map((result) => result.name)).toEqual([
      'web',
    ]);
    expect(results.some((result) => result.name === 'triage-validate-warm-up')).toBe(false);
  });

  it('checks custom resources against the CRDs the tree renders, as checkDocuments does', async () => {
    const documents = documentsOf(
      `${WIDGET_CRD}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: big}\nspec: {size: "large"}\n`,
    );
    // The started one is dropped (the CRD's schema must be among its schema locations): the Widget
    // is found invalid only by a run that has it.
    const results = await startKubeconform([{ apiVersion: 'v1', kind: 'ConfigMap' }], { binary }).check(
      documents,
    );
    expect(results).toEqual(await checkDocuments(documents, { binary }));
    expect(results[1]?.status).toBe('invalid');
    expect(results[1]?.message).toMatch(/^spec\.size: /);
  });

  it('reports missing schemas as checkDocuments does', async () => {
    const documents = documentsOf(deployment());
    const options = { binary, schemaLocations: [emptyDir()] };
    const results = await startKubeconform([{ apiVersion: 'apps/v1', kind: 'Deployment' }], options).check(
      documents,
    );
    expect(results).toEqual(await checkDocuments(documents, options));
    expect(results[0]?.message).toMatch(/^no schema for apps\/v1 Deployment/);
  });

  it('stops the process on cancel()', async () => {
    const dir = emptyDir();
    // Waits on its stdin, as kubeconform does, after saying who it is.
    const fake = fakeKubeconform(`echo $$ > ${dir}/pid; cat > /dev/null`);
    const started = startKubeconform([{ apiVersion: 'v1', kind: 'ConfigMap' }], { binary: fake });
    const pidFile = join(dir, 'pid');
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((done) => setTimeout(done, 50));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(processAlive(pid)).toBe(true);
    started.cancel();
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((done) => setTimeout(done, 50));
    expect(processAlive(pid)).toBe(false);
  });
});
