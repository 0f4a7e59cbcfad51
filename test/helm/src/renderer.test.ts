// The renderer itself, on a fixture chart: the Helm built-ins the charts rely on behave as Helm's do.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE } from './paths.js';
import { render, renderText } from './render.js';

const FIXTURE = join(PACKAGE, 'fixtures', 'builtins');

function info(options: Parameters<typeof render>[1] = {}) {
  const docs = render(FIXTURE, options);
  return docs.find((d) => d.kind === 'Info')!;
}

describe('chart renderer', () => {
  it('exposes .Chart with Helm field names, .Release and .Template', () => {
    const doc = info({ name: 'rel', namespace: 'ns' });
    expect(doc.name).toBe('builtins-rel'); // include of a _helpers.tpl define
    expect(doc.chart).toBe('builtins 1.2.3 9.9 v2');
    expect(doc.release).toBe('rel ns Helm true false');
    expect(doc.template).toBe('builtins/templates/info.yaml builtins/templates');
    expect(info({ upgrade: true }).release).toBe('jobnik jobs Helm false true');
  });

  it('deep-merges values files over values.yaml; null deletes a key', () => {
    const doc = info({ values: { nested: { replace: 'after', drop: null }, greeting: 'hi' } });
    expect(doc.nested).toEqual({ keep: 'kept', replace: 'after' });
    expect(doc.tpl).toBe('hi from jobnik'); // tpl renders a value as a template
    expect(doc.list).toEqual(['a', 'b']); // toJson
    expect(doc.roundTrip).toBe('kept'); // toYaml → fromYaml
    expect(doc.missing).toBe(''); // missing keys render empty, not "<no value>"
  });

  it('reads numbers as Helm does (float64), so charts must convert large integers', () => {
    const doc = info();
    expect(doc.bigRaw).toBe(1e6); // the text was "1e+06"
    expect(renderText(FIXTURE)).toContain('bigRaw: 1e+06');
    expect(renderText(FIXTURE)).toContain('bigInt: 1000000');
  });

  it('fails on required and fail, with the chart message', () => {
    expect(() => render(FIXTURE, { values: { needed: '' } })).toThrow(/needed is required/);
    expect(() => render(FIXTURE, { values: { needed: null } })).toThrow(/needed is required/);
    expect(() => render(FIXTURE, { values: { fail: true } })).toThrow(/fail was set/);
  });

  it('skips NOTES.txt and _ files, splits multi-document files and names each source', () => {
    const text = renderText(FIXTURE);
    expect(text).not.toContain('must not be rendered');
    const docs = render(FIXTURE);
    expect(docs.map((d) => [d.kind, d.source])).toEqual([
      ['Info', 'builtins/templates/info.yaml'],
      ['First', 'builtins/templates/two.yaml'],
      ['Second', 'builtins/templates/two.yaml'],
    ]);
    expect(text.match(/^# Source: /gm)).toHaveLength(4); // the comment-only document still has its header
    // --notes renders NOTES.txt alone (the fixture's fails on purpose, proving it ran).
    expect(() => renderText(FIXTURE, { notes: true })).toThrow(/NOTES.txt must not be rendered/);
  });

  it('rejects a missing chart or a broken values file', () => {
    expect(() => renderText(join(PACKAGE, 'fixtures', 'nope'))).toThrow(/render failed/);
    expect(() => renderText(FIXTURE, { valuesFiles: [join(FIXTURE, 'Chart.yaml.missing')] })).toThrow(/render failed/);
  });
});
