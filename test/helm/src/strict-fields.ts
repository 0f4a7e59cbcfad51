// Unknown-field check for rendered objects. The runtime schemas (kube.ts) accept fields Kubernetes does not
// know, as the API server does without strict field validation, so a misspelt `readinesProbe` would pass them.
// Here every object is written as a typed object literal against kubernetes-models' interfaces and compiled:
// TypeScript's excess-property check rejects any field the API type does not declare, at any depth.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { CACHE } from './paths.js';
import type { Manifest } from './render.js';

const TYPES: Record<string, [module: string, type: string]> = {
  'v1/ConfigMap': ['kubernetes-models/v1', 'IConfigMap'],
  'v1/Service': ['kubernetes-models/v1', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1', 'IServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1', 'IDeployment'],
  'batch/v1/Job': ['kubernetes-models/batch/v1', 'IJob'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2', 'IHorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1', 'IPodDisruptionBudget'],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1', 'IIngress'],
  'monitoring.coreos.com/v1/ServiceMonitor': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'IServiceMonitor'],
  'monitoring.coreos.com/v1/PrometheusRule': ['@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1', 'IPrometheusRule'],
  'keda.sh/v1alpha1/ScaledObject': ['@kubernetes-models/keda/keda.sh/v1alpha1', 'IScaledObject'],
};

/** One message per field (or type mismatch) the API types reject, naming the object it is in. */
export function fieldErrors(manifests: Manifest[]): string[] {
  // Under the package, so the imports resolve from its node_modules; one directory per call (files run in parallel).
  mkdirSync(join(CACHE, 'strict'), { recursive: true });
  const dir = mkdtempSync(join(CACHE, 'strict', 'run-'));
  const imports = new Map<string, Set<string>>();
  const lines: string[] = [];
  const owners: { line: number; name: string }[] = [];
  manifests.forEach((m, i) => {
    const { source, ...object } = m;
    const typed = TYPES[`${object.apiVersion}/${object.kind}`];
    if (!typed) throw new Error(`no API type for ${object.apiVersion} ${object.kind} (from ${source})`);
    const [module, type] = typed;
    imports.set(module, (imports.get(module) ?? new Set()).add(type));
    owners.push({ line: lines.length, name: `${object.kind} ${object.metadata?.name} (${source})` });
    lines.push(`export const m${i}: ${type} = ${JSON.stringify(object, null, 2)};`, '');
  });
  const header = [...imports].map(([module, types]) => `import type { ${[...types].join(', ')} } from '${module}';`);
  const file = join(dir, 'manifests.ts');
  writeFileSync(file, [...header, '', ...lines].join('\n'));
  const offset = header.length + 1;

  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  try {
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return text;
      const line = d.file.getLineAndCharacterOfPosition(d.start).line - offset;
      const owner = [...owners].reverse().find((o) => o.line <= line);
      return `${owner?.name ?? 'header'}: ${text}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The undeclared-field errors of a chart's rendered objects, with a copy of its Deployment carrying a misspelt
 * probe field added: one compilation, and a correct chart yields exactly that one error (so the check can fail).
 */
export function fieldErrorsWithTypo(manifests: Manifest[]): string[] {
  const deployment = manifests.find((m) => m.kind === 'Deployment');
  if (!deployment) throw new Error('no Deployment rendered');
  const typo = structuredClone(deployment) as Manifest & { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
  typo.metadata.name = 'typo';
  const container = typo.spec.template.spec.containers[0]!;
  container.readinesProbe = container.readinessProbe;
  return fieldErrors([...manifests, typo]);
}
