import { describe, expect, it } from 'vitest';
import { pickConfigMap, readConfigMap } from '../../scripts/kube/configmap.js';
import { readKubeContext } from '../../scripts/kube/context.js';
import { readDeployment } from '../../scripts/kube/deployment.js';
import { readHpa } from '../../scripts/kube/hpa.js';
import { ingressTarget, readIngress } from '../../scripts/kube/ingress.js';
import { ShapeError } from '../../scripts/kube/json.js';
import { readSecretKeys, readSecretProviderClass } from '../../scripts/kube/secret.js';
import { sampleFromList } from '../../scripts/loadtest/sample.js';
import { fixture } from './helpers.js';

describe('HPA reader (autoscaling/v2, as kubectl get -o json prints it)', () => {
  it('reads spec and status of an HPA at its minimum', () => {
    expect(readHpa(fixture('hpa-dev-at-minimum.json'))).toEqual({
      name: 'triage-backend-hpa',
      namespace: 'triage',
      minReplicas: 2,
      maxReplicas: 10,
      targetCpuUtilization: 10,
      scaleTarget: { kind: 'Deployment', name: 'triage-backend' },
      currentReplicas: 2,
      desiredReplicas: 2,
      cpuUtilization: 3,
      metricsAvailable: true,
      metricsProblem: undefined,
      lastScaleTime: '2026-03-04T10:02:31Z',
    });
  });

  it('reads current and desired replicas while scaling out', () => {
    expect(readHpa(fixture('hpa-dev-scaling-out.json'))).toMatchObject({
      currentReplicas: 4,
      desiredReplicas: 8,
      cpuUtilization: 187,
      metricsAvailable: true,
    });
  });

  it('reports <unknown> metrics when the metrics API is missing (no currentMetrics)', () => {
    const hpa = readHpa(fixture('hpa-dev-unknown-no-metrics-api.json'));
    expect(hpa.cpuUtilization).toBeUndefined();
    expect(hpa.metricsAvailable).toBe(false);
    expect(hpa.metricsProblem).toMatch(
      /^ScalingActive=False \(FailedGetResourceMetric\): .*pods\.metrics\.k8s\.io/,
    );
  });

  it('reports <unknown> metrics when a container has no CPU request (currentMetrics without utilization)', () => {
    const hpa = readHpa(fixture('hpa-dev-unknown-missing-request.json'));
    expect(hpa.cpuUtilization).toBeUndefined();
    expect(hpa.metricsAvailable).toBe(false);
    expect(hpa.metricsProblem).toMatch(/missing request for cpu in container backend/);
  });

  it('says <unknown> even without a ScalingActive condition', () => {
    const json = fixture('hpa-dev-at-minimum.json') as { status: Record<string, unknown> };
    json.status.currentMetrics = [
      { type: 'Resource', resource: { name: 'cpu', current: { averageValue: '8m' } } },
    ];
    json.status.conditions = [];
    expect(readHpa(json)).toMatchObject({
      metricsAvailable: false,
      metricsProblem: expect.stringMatching(/<unknown>/),
    });
  });

  it('refuses another kind', () => {
    expect(() => readHpa(fixture('deployment-dev-at-minimum.json'))).toThrow(ShapeError);
  });
});

describe('Deployment reader', () => {
  it('reads replicas and the envFrom wiring (kustomize hash suffixes included)', () => {
    expect(readDeployment(fixture('deployment-dev-at-minimum.json'))).toEqual({
      name: 'triage-backend',
      namespace: 'triage',
      specReplicas: 2,
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
      configMapRefs: ['triage-config-69cf58mtf2'],
      secretRefs: ['triage-secrets-c2bgt5f67k'],
      optionalSecretRefs: [],
      secretProviderClasses: [],
      containersWithoutCpuRequest: [],
      cpuRequestMillicores: 250,
    });
  });

  it('reads a Deployment mid scale-out', () => {
    expect(readDeployment(fixture('deployment-dev-scaling-out.json'))).toMatchObject({
      specReplicas: 8,
      replicas: 8,
      readyReplicas: 4,
      availableReplicas: 4,
    });
  });

  it('finds the SecretProviderClass of the CSI volume in prod', () => {
    expect(readDeployment(fixture('deployment-prod.json'))).toMatchObject({
      configMapRefs: ['triage-config-ddk9b25d77'],
      secretRefs: ['triage-secrets'],
      secretProviderClasses: ['triage-keyvault'],
    });
  });
});

describe('Ingress reader', () => {
  it('has no target while the ingress has no address', () => {
    const state = readIngress(fixture('ingress-dev-no-address.json'));
    expect(state.address).toBeUndefined();
    expect(ingressTarget(state)).toBeUndefined();
  });

  it('targets the load balancer IP', () => {
    const state = readIngress(fixture('ingress-dev-with-ip.json'));
    expect(state).toEqual({
      name: 'triage-ingress',
      address: { ip: '20.61.143.27' },
      ruleHost: undefined,
      tls: false,
    });
    expect(ingressTarget(state)).toEqual({ url: 'http://20.61.143.27/api/triage' });
  });

  it("connects to the IP with the rule's host as Host header", () => {
    expect(ingressTarget(readIngress(fixture('ingress-prod-with-host.json')))).toEqual({
      url: 'http://4.207.61.118/api/triage',
      hostHeader: 'triage.contoso.example',
    });
  });

  it('uses https when spec.tls covers the host, and a hostname address', () => {
    const json = fixture('ingress-prod-with-host.json') as {
      spec: Record<string, unknown>;
      status: { loadBalancer: Record<string, unknown> };
    };
    json.spec.tls = [{ hosts: ['triage.contoso.example'], secretName: 'triage-tls' }];
    json.status.loadBalancer.ingress = [{ hostname: 'lb.example.net' }];
    expect(ingressTarget(readIngress(json))).toEqual({
      url: 'https://lb.example.net/api/triage',
      hostHeader: 'triage.contoso.example',
    });
  });
});

describe('ConfigMap reader', () => {
  it('reads the model deployment name', () => {
    expect(readConfigMap(fixture('configmap-prod.json'))).toMatchObject({
      name: 'triage-config-ddk9b25d77',
      modelDeploymentName: 'gpt-4.1-mini',
    });
  });

  it('picks the referenced ConfigMap, else the newest with the prefix and a hash suffix', () => {
    const list = fixture('configmap-list-dev.json');
    expect(pickConfigMap(list, ['triage-config-8g7k2mhd4c'], 'triage-config')?.modelDeploymentName).toBe(
      'gpt-4o-mini',
    );
    expect(pickConfigMap(list, [], 'triage-config')).toMatchObject({
      name: 'triage-config-69cf58mtf2',
      modelDeploymentName: 'gpt-4.1-mini',
    });
    expect(pickConfigMap(list, [], 'other-config')).toBeUndefined();
  });
});

describe('Secret reader', () => {
  it('keeps key names and drops values', () => {
    const secret = readSecretKeys(fixture('secret-prod-csi.json'));
    expect(secret).toEqual({
      name: 'triage-secrets',
      type: 'Opaque',
      keys: ['AZURE_OPENAI_API_KEY', 'DATABASE_CONNECTION_STRING'],
      managedByCsi: true,
    });
    const raw = fixture('secret-prod-csi.json') as { data: Record<string, string> };
    const serialised = JSON.stringify(secret);
    for (const value of Object.values(raw.data)) {
      expect(serialised).not.toContain(value);
      expect(serialised).not.toContain(Buffer.from(value, 'base64').toString());
    }
  });

  it('tells a kustomize-generated Secret from a CSI-synced one', () => {
    expect(readSecretKeys(fixture('secret-dev.json')).managedByCsi).toBe(false);
  });

  it('reads the Secrets a SecretProviderClass syncs', () => {
    expect(readSecretProviderClass(fixture('secretproviderclass-prod.json'))).toEqual({
      name: 'triage-keyvault',
      provider: 'azure',
      syncedSecrets: [
        { name: 'triage-secrets', keys: ['AZURE_OPENAI_API_KEY', 'DATABASE_CONNECTION_STRING'] },
      ],
    });
  });
});

describe('context and combined samples', () => {
  it('reads the current context from kubectl config view --minify', () => {
    expect(readKubeContext(fixture('config-view-minify.json'))).toEqual({
      name: 'aks-triage-dev',
      server: 'https://aks-triage-dev-dns-4f1c2a7b.hcp.westeurope.azmk8s.io:443',
      namespace: undefined,
    });
    expect(readKubeContext({ kind: 'Config', apiVersion: 'v1', 'current-context': '' })).toBeUndefined();
  });

  it('reads one sample from the List of HPA and Deployment', () => {
    expect(sampleFromList(fixture('hpa-and-deployment-dev-scaling-out.json'), 42.5, 'load')).toEqual({
      t: 42.5,
      phase: 'load',
      currentReplicas: 4,
      desiredReplicas: 8,
      cpuUtilization: 187,
      metricsAvailable: true,
      replicas: 8,
      readyReplicas: 4,
    });
  });

  it('marks a sample that lacks one of the two objects', () => {
    const sample = sampleFromList(
      { kind: 'List', apiVersion: 'v1', items: [fixture('hpa-dev-at-minimum.json')] },
      1,
      'load',
    );
    expect(sample.error).toMatch(/1 of the 2/);
    expect(sample.currentReplicas).toBe(2);
  });
});
