// The tenant filter of statements that address tasks by id (acks, heartbeats): a task belongs to the tenant
// of its queue. `param` is the statement's placeholder for the caller's scope; NULL (admin, auth off) means all.
export function inTenant(param: string): string {
  return `(${param}::text IS NULL OR t.queue_id IN (SELECT q.id FROM queues q WHERE q.tenant_id = ${param}))`;
}
