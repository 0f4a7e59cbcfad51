// Chart values as Helm sees them: -f files merged over values.yaml, validated by the chart's values.schema.json
// (draft-07, as Helm validates it), and a parent chart's values split into a dependency's share.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

export type Values = Record<string, unknown>;

export const readYaml = (file: string) => parse(readFileSync(file, 'utf8')) as Values;

const isMap = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's merge of -f files: maps merge key by key, anything else replaces, null deletes. */
export function merge(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(b)) out[k] = merge(b, v);
    else out[k] = v;
  }
  return out;
}

/** Validates values merged over the chart's defaults; `errors` are "<path> <message>". */
export function validator(chartDir: string) {
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
  const defaults = readYaml(join(chartDir, 'values.yaml'));
  return (over: Values = {}) => {
    const ok = validate(merge(defaults, over));
    return { ok, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
  };
}

/** What Helm hands the dependency `name` of a parent chart: its section of the parent's values, plus `global`. */
export function dependencyValues(parentValues: Values, name: string): Values {
  const own = parentValues[name];
  if (!isMap(own)) throw new Error(`the parent values have no section ${name}`);
  return { ...own, global: parentValues.global ?? {} };
}
