// Each chart's README lists every value its values.schema.json accepts, one table row per value, and no value
// the chart does not have. Objects that are Kubernetes types (probes, resources, the rollout strategy) or free
// maps are one row; the chart's own groups are listed key by key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANAGER_CHART, WORKER_CHART } from './paths.js';

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
}

const AS_A_WHOLE = new Set(['probes.startup', 'probes.liveness', 'probes.readiness', 'strategy', 'resources', 'migration.resources']);

function valuePaths(node: SchemaNode, prefix = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = `${prefix}${key}`;
    const group = child.properties && child.additionalProperties === false && !AS_A_WHOLE.has(path);
    return group ? valuePaths(child, `${path}.`) : [path];
  });
}

describe.each([
  ['jobnik-manager', MANAGER_CHART],
  ['jobnik-worker', WORKER_CHART],
])('%s README', (_name, chartDir) => {
  const readme = readFileSync(join(chartDir, 'README.md'), 'utf8');
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as SchemaNode;
  const rows = [...readme.matchAll(/^\| `([^`]+)` \| `[^|]*` \| .+ \|$/gm)].map((m) => m[1]!);

  it('has a row with the default and a description for every value', () => {
    const paths = valuePaths(schema);
    expect(paths.length).toBeGreaterThan(60);
    expect(paths.filter((p) => !rows.includes(p))).toEqual([]);
  });

  it('lists no value the chart does not have, and none twice', () => {
    const paths = new Set(valuePaths(schema));
    expect(rows.filter((r) => !paths.has(r))).toEqual([]);
    expect(rows.length).toBe(new Set(rows).size);
  });
});
