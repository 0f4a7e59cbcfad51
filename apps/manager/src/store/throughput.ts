// Throughput samples: completions and failures per tenant and second, written by each replica and summed
// across replicas when read. `tallySql` is the piece of a status-changing statement that counts them per tenant.
import type { Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { inScope } from './tenant-scope.js';

/** Tasks that finished for good in one statement, by tenant. */
export interface Tally {
  tenant: string;
  completed: number;
  failed: number;
}

/** A select-list item over a CTE of changed tasks (columns queue_id, status): the statement's tallies as JSON. */
export function tallySql(changed: string): string {
  return `(SELECT json_agg(json_build_object('tenant', qu.tenant_id, 'completed', x.c, 'failed', x.f))
     FROM (SELECT queue_id, count(*) FILTER (WHERE status = 'COMPLETED')::int AS c, count(*) FILTER (WHERE status = 'FAILED')::int AS f
           FROM ${changed} GROUP BY queue_id) x
     JOIN queues qu ON qu.id = x.queue_id WHERE x.c + x.f > 0) AS tallies`;
}

export interface Sample {
  tenant: string;
  /** Unix seconds. */
  at: number;
  completed: number;
  failed: number;
}

/** Adds this replica's samples (one row per tenant and second; a second written twice adds up). */
export async function writeSamples(db: Queryable, replica: string, samples: Sample[]): Promise<void> {
  if (samples.length === 0) return;
  await db.query(
    `INSERT INTO throughput_samples (tenant_id, at, replica, completed, failed)
     SELECT s.tenant, to_timestamp(s.at), $2, s.completed, s.failed
     FROM jsonb_to_recordset($1::text::jsonb) AS s(tenant text, at bigint, completed int, failed int)
     ON CONFLICT (tenant_id, at, replica) DO UPDATE SET
       completed = throughput_samples.completed + EXCLUDED.completed, failed = throughput_samples.failed + EXCLUDED.failed`,
    [JSON.stringify(samples), replica],
  );
}

/** Per-second sums over every replica since `sinceSec` (Unix seconds), for the scope. */
export function readSamples(db: Queryable, scope: TenantScope, sinceSec: number): Promise<{ at: number; completed: number; failed: number }[]> {
  return db.query(
    `SELECT extract(epoch FROM at)::bigint::int AS at, sum(completed)::int AS completed, sum(failed)::int AS failed
     FROM throughput_samples WHERE at >= to_timestamp($2) AND ${inScope('tenant_id', '$1')} GROUP BY at`,
    [scope, sinceSec],
  );
}

export async function pruneSamples(db: Queryable, beforeSec: number): Promise<void> {
  await db.query('DELETE FROM throughput_samples WHERE at < to_timestamp($1)', [beforeSec]);
}
