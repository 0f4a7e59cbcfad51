// Job groups (queue classes): a capacity shared by the stage types mapped to them, all tenants; and their members.
import type { QueueGroup } from '@jobnik/contracts';
import type { Queryable } from '../db/db.js';
import { iso } from './mappers.js';
import { leaseNotSwept } from './sweep-watermark.js';

export type FlowSource = 'config' | 'api';

const GROUPS_SQL = `
  SELECT g.name, g.max_in_flight, g.source, g.updated_at,
    coalesce((SELECT array_agg(m.stage_type ORDER BY m.stage_type) FROM queue_group_members m WHERE m.group_name = g.name), '{}') AS stage_types,
    (SELECT count(*) FROM tasks r WHERE r.status = 'IN_PROGRESS' AND ${leaseNotSwept('r')} AND r.queue_id = ANY (ARRAY(
       SELECT gq.id FROM queues gq JOIN queue_group_members gm ON gm.stage_type = gq.name WHERE gm.group_name = g.name)))::int AS in_flight
  FROM queue_groups g`;

function toGroup(r: Record<string, unknown>): QueueGroup {
  return {
    name: r.name as string,
    maxInFlight: r.max_in_flight as number,
    stageTypes: (r.stage_types as string[] | null) ?? [],
    inFlight: r.in_flight as number,
    source: r.source as FlowSource,
    updatedAt: iso(r.updated_at as Date),
  };
}

export async function listQueueGroups(db: Queryable): Promise<QueueGroup[]> {
  return (await db.query(`${GROUPS_SQL} ORDER BY g.name`)).map(toGroup);
}

export async function getQueueGroup(db: Queryable, name: string): Promise<QueueGroup | null> {
  const [r] = await db.query(`${GROUPS_SQL} WHERE g.name = $1`, [name]);
  return r ? toGroup(r) : null;
}

/** The group's source, or null when it does not exist; locks the row for the caller's transaction. */
export async function lockQueueGroup(tx: Queryable, name: string): Promise<FlowSource | null> {
  const [r] = await tx.query<{ source: FlowSource }>('SELECT source FROM queue_groups WHERE name = $1 FOR UPDATE', [name]);
  return r?.source ?? null;
}

/** Creates or replaces a group and its member list (each stage type leaves the group it was in). */
export async function putQueueGroup(tx: Queryable, name: string, maxInFlight: number, stageTypes: string[], source: FlowSource): Promise<void> {
  await tx.query(
    `INSERT INTO queue_groups (name, max_in_flight, source) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET max_in_flight = $2, source = $3, updated_at = now()`,
    [name, maxInFlight, source],
  );
  await tx.query('DELETE FROM queue_group_members WHERE group_name = $1 AND NOT (stage_type = ANY($2::text[]))', [name, stageTypes]);
  await tx.query(
    `INSERT INTO queue_group_members (stage_type, group_name) SELECT s, $1 FROM unnest($2::text[]) AS s
     ON CONFLICT (stage_type) DO UPDATE SET group_name = $1`,
    [name, [...new Set(stageTypes)]],
  );
}

/** Stage types of groups declared elsewhere (another source) among these: a config group may not take an API group's types and back. */
export async function membersOfOtherGroups(tx: Queryable, name: string, stageTypes: string[]): Promise<{ stage_type: string; group_name: string; source: FlowSource }[]> {
  return tx.query(
    `SELECT m.stage_type, m.group_name, g.source FROM queue_group_members m JOIN queue_groups g ON g.name = m.group_name
     WHERE m.stage_type = ANY($2::text[]) AND m.group_name <> $1`,
    [name, stageTypes],
  );
}

export async function deleteQueueGroup(tx: Queryable, name: string): Promise<boolean> {
  return (await tx.query('DELETE FROM queue_groups WHERE name = $1 RETURNING name', [name])).length > 0;
}

/** Removes the config-declared groups that the configuration no longer names. */
export async function deleteConfigGroupsExcept(tx: Queryable, keep: string[]): Promise<void> {
  await tx.query(`DELETE FROM queue_groups WHERE source = 'config' AND NOT (name = ANY($1::text[]))`, [keep]);
}

/** Serializes changes of groups and rate limits (API calls and every replica's start) until commit. */
export async function lockFlowSettings(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(7311945, 0)');
}
