// The tenant scope of every statement, written once. `param` is the statement's placeholder for the
// caller's scope; NULL (an admin key, or auth off) sees every tenant.

/** Rows whose `column` names their tenant. */
export function inScope(column: string, param: string): string {
  return `(${param}::text IS NULL OR ${column} = ${param})`;
}

/** Tasks (aliased `t`) carry no tenant column: a task belongs to the tenant of its queue. */
export function taskInScope(param: string): string {
  return `(${param}::text IS NULL OR t.queue_id IN (SELECT q.id FROM queues q WHERE q.tenant_id = ${param}))`;
}
