// Builds the OpenAPI 3.1 document from the route table; nothing here is written by hand twice.
import { z } from 'zod';
import { Problem } from './errors.js';
import type { RouteDef } from './route.js';
import { routes } from './routes.js';
import { V1Error, v1Routes } from './v1.js';

type JsonSchema = Record<string, unknown>;
type Io = 'input' | 'output';

class ComponentRegistry {
  readonly schemas: Record<string, JsonSchema> = {};

  /** Converts a zod schema, hoisting named sub-schemas into components.schemas. */
  convert(schema: z.ZodType, io: Io): JsonSchema {
    const raw = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
    const defs = (raw.$defs ?? {}) as Record<string, JsonSchema>;
    delete raw.$defs;
    delete raw.$schema;
    const renames = new Map<string, string>();
    for (const [id, def] of Object.entries(defs)) renames.set(id, this.place(id, def, io));
    for (const [id, def] of Object.entries(defs)) this.schemas[renames.get(id)!] = this.rewrite(def, renames);
    return this.rewrite(raw, renames);
  }

  private place(id: string, def: JsonSchema, io: Io): string {
    const existing = this.schemas[id];
    if (!existing || io === 'output') return id;
    // Request-side shapes differ from responses where defaults make fields optional.
    return JSON.stringify(existing) === JSON.stringify(def) ? id : `${id}Input`;
  }

  private rewrite(node: JsonSchema, renames: Map<string, string>): JsonSchema {
    const text = JSON.stringify(node).replace(/"#\/\$defs\/([^"]+)"/g, (_, id: string) => `"#/components/schemas/${renames.get(id) ?? id}"`);
    return JSON.parse(text) as JsonSchema;
  }
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query', registry: ComponentRegistry) {
  if (!schema) return [];
  const json = registry.convert(schema, 'input');
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function operationOf(def: RouteDef, registry: ComponentRegistry) {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(def.responses)) {
    responses[status] = schema
      ? { description: 'OK', content: { 'application/json': { schema: registry.convert(schema, 'output') } } }
      : { description: 'No content' };
  }
  // The /v1 routes answer errors in their own shape, { message, code }, as application/json.
  const [type, ref] = def.tag === 'v1' ? ['application/json', 'V1Error'] : ['application/problem+json', 'Problem'];
  responses['4XX'] = { description: 'Client error', content: { [type]: { schema: { $ref: `#/components/schemas/${ref}` } } } };
  responses['5XX'] = { description: 'Server error', content: { [type]: { schema: { $ref: `#/components/schemas/${ref}` } } } };
  return {
    operationId: def.operationId,
    summary: def.summary,
    tags: [def.tag],
    'x-roles': def.roles,
    parameters: [...parametersOf(def.params, 'path', registry), ...parametersOf(def.query, 'query', registry)],
    ...(def.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: registry.convert(def.body, 'input') } } } }
      : {}),
    responses,
  };
}

export interface OpenApiOptions {
  serverUrl?: string;
  version?: string;
  extraRoutes?: Record<string, RouteDef>;
}

export function buildOpenApiDocument(options: OpenApiOptions = {}) {
  const registry = new ComponentRegistry();
  registry.convert(Problem, 'output');
  registry.convert(V1Error, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  const all: Record<string, RouteDef> = { ...(routes as unknown as Record<string, RouteDef>), ...(v1Routes as unknown as Record<string, RouteDef>), ...options.extraRoutes };
  for (const def of Object.values(all)) {
    const path = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path]![def.method.toLowerCase()] = operationOf(def, registry);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Jobnik manager API',
      version: options.version ?? '0.1.0',
      description: 'Jobs → stages → tasks on PostgreSQL: create in bulk, dequeue with leases, ack in batches.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    components: {
      schemas: registry.schemas,
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
    },
    security: [{}, { apiKey: [] }],
    paths,
  };
}
