// SQL for cron schedules.
import type { Schedule } from '@jobnik/contracts';
import type { Queryable, Row } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { iso, isoOrNull } from './mappers.js';
import { decodeCursor, pageOf, Where } from './pagination.js';
import { inScope } from './tenant-scope.js';

function toSchedule(r: Row): Schedule {
  return {
    id: r.id as string,
    tenantId: r.tenant_id as string,
    name: r.name as string,
    cron: r.cron as string,
    timezone: r.timezone as string,
    enabled: r.enabled as boolean,
    catchUp: r.catch_up as Schedule['catchUp'],
    catchUpLimit: r.catch_up_limit as number,
    jobTemplate: r.job_template as Schedule['jobTemplate'],
    nextFireAt: isoOrNull(r.next_fire_at),
    lastFireAt: isoOrNull(r.last_fire_at),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface NewSchedule {
  tenantId: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  catchUp: string;
  catchUpLimit: number;
  jobTemplate: unknown;
  nextFireAt: Date | null;
}

export async function insertSchedule(db: Queryable, s: NewSchedule): Promise<Schedule> {
  const rows = await db.query(
    `INSERT INTO schedules (tenant_id, name, cron, timezone, enabled, catch_up, catch_up_limit, job_template, next_fire_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9) RETURNING *`,
    [s.tenantId, s.name, s.cron, s.timezone, s.enabled, s.catchUp, s.catchUpLimit, JSON.stringify(s.jobTemplate), s.nextFireAt],
  );
  return toSchedule(rows[0]!);
}

export async function getSchedule(db: Queryable, id: string, scope: TenantScope, lock = false): Promise<Schedule | null> {
  const rows = await db.query(`SELECT * FROM schedules WHERE id = $1 AND ${inScope('tenant_id', '$2')}${lock ? ' FOR UPDATE' : ''}`, [id, scope]);
  return rows[0] ? toSchedule(rows[0]) : null;
}

export async function replaceSchedule(db: Queryable, id: string, s: Omit<NewSchedule, 'tenantId' | 'name'>): Promise<Schedule> {
  const rows = await db.query(
    `UPDATE schedules SET cron = $2, timezone = $3, enabled = $4, catch_up = $5, catch_up_limit = $6, job_template = $7::text::jsonb,
       next_fire_at = $8, updated_at = now() WHERE id = $1 RETURNING *`,
    [id, s.cron, s.timezone, s.enabled, s.catchUp, s.catchUpLimit, JSON.stringify(s.jobTemplate), s.nextFireAt],
  );
  return toSchedule(rows[0]!);
}

/** One page of the schedules in scope, by name then id (keyset on that order). */
export async function listSchedules(db: Queryable, scope: TenantScope, page: { limit: number; cursor?: string | undefined }): Promise<{ items: Schedule[]; nextCursor: string | null }> {
  const where = new Where().add(inScope('tenant_id', '?'), scope);
  if (page.cursor) {
    const [name, id] = decodeCursor(page.cursor, ['text', 'uuid']);
    where.raw(`(name, id) > (${where.bind(name)}, ${where.bind(id)}::uuid)`);
  }
  const rows = await db.query(`SELECT * FROM schedules ${where} ORDER BY name, id LIMIT ${where.bind(page.limit + 1)}`, where.params);
  return pageOf(rows, page.limit, (last) => [last.name, last.id], toSchedule);
}

export async function deleteSchedule(db: Queryable, id: string, scope: TenantScope): Promise<boolean> {
  return (await db.query(`DELETE FROM schedules WHERE id = $1 AND ${inScope('tenant_id', '$2')} RETURNING id`, [id, scope])).length > 0;
}

/** Due schedules (but those in `skip`), locked so that one replica fires each (the others skip it). */
export async function lockDueSchedules(tx: Queryable, max: number, skip: readonly string[] = []): Promise<{ schedules: Schedule[]; now: Date }> {
  const rows = await tx.query(
    `SELECT *, now() AS db_now FROM schedules WHERE enabled AND next_fire_at <= now() AND NOT (id = ANY($2::uuid[]))
     ORDER BY next_fire_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [max, skip],
  );
  const now = rows[0] ? new Date(rows[0].db_now as string) : new Date();
  return { schedules: rows.map(toSchedule), now };
}

export async function advanceSchedule(tx: Queryable, id: string, next: Date | null, lastFired: Date | null): Promise<void> {
  await tx.query('UPDATE schedules SET next_fire_at = $2, last_fire_at = coalesce($3, last_fire_at), updated_at = now() WHERE id = $1', [id, next, lastFired]);
}
