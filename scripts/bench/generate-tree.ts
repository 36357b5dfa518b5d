import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One app's worth of objects (10 documents), named with `suffix`, every kind the policies look at. */
function appResources(suffix: string): string {
  const name = `svc-${suffix}`;
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      serviceAccountName: ${name}
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: example.azurecr.io/${name}:1.0.${suffix.length}
          ports: [{name: http, containerPort: 8080}]
          envFrom: [{configMapRef: {name: ${name}-config}}]
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          readinessProbe: {httpGet: {path: /healthz, port: http}}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${name}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${name}}
  minReplicas: 2
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: ${name}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
spec:
  ingressClassName: webapprouting.kubernetes.azure.com
  rules:
    - http:
        paths:
          - path: /${name}
            pathType: Prefix
            backend: {service: {name: ${name}, port: {name: http}}}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data: {LOG_LEVEL: info, FEATURE: "on"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-extra
data: {A: "1"}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}-jobs
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}-headless
spec:
  clusterIP: None
  selector: {app: ${name}}
  ports: [{name: http, port: 8080, targetPort: http}]
`;
}

/** `overlays` overlays over one base of `appsPerBase` × 10 objects, each overlay with a prefix and an HPA patch. */
export function generateTree(dir: string, overlays: number, appsPerBase: number): void {
  mkdirSync(join(dir, 'base'), { recursive: true });
  const files: string[] = [];
  for (let app = 0; app < appsPerBase; app++) {
    const file = `app-${app}.yaml`;
    writeFileSync(join(dir, 'base', file), appResources(String(app)));
    files.push(file);
  }
  writeFileSync(
    join(dir, 'base', 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: bench\nresources:\n${files.map((f) => `  - ${f}`).join('\n')}\n`,
  );
  for (let overlay = 0; overlay < overlays; overlay++) {
    const overlayDir = join(dir, 'overlays', `env${overlay}`);
    mkdirSync(overlayDir, { recursive: true });
    writeFileSync(
      join(overlayDir, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: e${overlay}-
resources:
  - ../../base
patches:
  - path: hpa.yaml
    target: {kind: HorizontalPodAutoscaler}
`,
    );
    writeFileSync(
      join(overlayDir, 'hpa.yaml'),
      `- op: replace\n  path: /spec/minReplicas\n  value: ${2 + (overlay % 2)}\n`,
    );
  }
}
