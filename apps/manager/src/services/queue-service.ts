// Queues (per tenant and stage type: depth, pause, in-flight cap) and the workers seen recently.
import type { Queue, UpdateQueueRequest, Worker } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { listWorkers } from '../store/heartbeat.js';
import { iso } from '../store/mappers.js';
import { getQueue, listQueues, updateQueue, type QueueFilter } from '../store/queues.js';
import { notifyReady } from './ready-signal.js';

export class QueueService {
  constructor(private readonly db: Db) {}

  list(scope: TenantScope, filter: QueueFilter = {}): Promise<{ items: Queue[]; nextCursor: string | null }> {
    return listQueues(this.db, scope, filter);
  }

  /**
   * The queues with their depths, without oldestReadyAt (null): what the /metrics scrape reads, at less cost.
   * `idle` false leaves out the queues without work that has not ended, unless paused.
   */
  async depths(scope: TenantScope, idle = true): Promise<Queue[]> {
    return (await listQueues(this.db, scope, idle ? {} : { activeOrPaused: true }, false)).items;
  }

  /** Upserts the queue's settings (a queue may be configured before any job uses it). */
  async update(tenantId: string, stageType: string, change: UpdateQueueRequest): Promise<Queue> {
    await this.db.transaction(async (tx) => {
      await updateQueue(tx, tenantId, stageType, change);
      // Resumed, or its cap changed: long-polls parked on the queue look again (no-op when nothing is ready).
      if (change.paused === false || change.maxInFlight !== undefined || change.agingMs !== undefined || change.weight !== undefined) await notifyReady(tx, [stageType]);
    });
    return (await getQueue(this.db, tenantId, stageType))!;
  }

  async listWorkers(scope: TenantScope): Promise<Worker[]> {
    const rows = await listWorkers(this.db, scope);
    return rows.map((w) => ({ id: w.id, tenantId: w.tenant_id, stageTypes: w.stage_types, inFlight: w.in_flight, lastSeenAt: iso(w.last_seen_at), firstSeenAt: iso(w.first_seen_at) }));
  }
}
