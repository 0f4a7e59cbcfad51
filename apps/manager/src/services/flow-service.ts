// Flow control settings: job groups (queue classes) with capacities and rate limits on task starts, declared in
// the configuration (applied at start by every replica, read-only over the API) or over the API. The dequeue
// statement enforces them (store/dequeue.ts); queue weights and aging are queue settings (QueueService).
import type { PutQueueGroupRequest, PutRateLimitRequest, QueueGroup, RateLimit } from '@jobnik/contracts';
import type { GroupsConfig, RateLimitsConfig } from '../config.js';
import type { Db, Queryable } from '../db/db.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import {
  deleteConfigGroupsExcept,
  deleteQueueGroup,
  getQueueGroup,
  listQueueGroups,
  lockFlowSettings,
  lockQueueGroup,
  membersOfOtherGroups,
  putQueueGroup,
} from '../store/queue-groups.js';
import { deleteConfigRateLimitsExcept, deleteRateLimit, listRateLimits, putRateLimit, rateLimitSource } from '../store/rate-limits.js';
import { notifyReady } from './ready-signal.js';

/** Default burst: 100 ms worth of the rate (at least 1), enough to absorb the gaps between dequeues. */
export function defaultBurst(limit: number, periodMs: number): number {
  return Math.max(1, Math.ceil((limit * 100) / periodMs));
}

const fromFile = (what: string) => new ConflictError('CONFIGURED_IN_FILE', `${what} is declared in the manager configuration (flow); change it there`);

export class FlowService {
  constructor(private readonly db: Db) {}

  listGroups(): Promise<QueueGroup[]> {
    return listQueueGroups(this.db);
  }

  async putGroup(name: string, body: PutQueueGroupRequest): Promise<QueueGroup> {
    const stageTypes = body.stageTypes ?? [];
    await this.db.transaction(async (tx) => {
      await lockFlowSettings(tx);
      if ((await lockQueueGroup(tx, name)) === 'config') throw fromFile(`job group ${name}`);
      await this.assertFree(tx, name, stageTypes);
      await putQueueGroup(tx, name, body.maxInFlight, stageTypes, 'api');
      // A raised capacity lets parked long-polls of these stage types in.
      await notifyReady(tx, stageTypes);
    });
    return (await getQueueGroup(this.db, name))!;
  }

  async deleteGroup(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockFlowSettings(tx);
      const source = await lockQueueGroup(tx, name);
      if (source === null) throw new NotFoundError('job group', name);
      if (source === 'config') throw fromFile(`job group ${name}`);
      const group = await getQueueGroup(tx, name);
      await deleteQueueGroup(tx, name);
      await notifyReady(tx, group?.stageTypes ?? []);
    });
  }

  listRateLimits(): Promise<RateLimit[]> {
    return listRateLimits(this.db);
  }

  async putRateLimit(stageType: string, tenantId: string | null, body: PutRateLimitRequest): Promise<RateLimit> {
    const periodMs = body.periodMs ?? 1000;
    return this.db.transaction(async (tx) => {
      await lockFlowSettings(tx);
      if ((await rateLimitSource(tx, stageType, tenantId)) === 'config') throw fromFile(`the rate limit of ${stageType}${tenantId ? ` for tenant ${tenantId}` : ''}`);
      const limit = await putRateLimit(tx, { stageType, tenantId, limit: body.limit, periodMs, burst: body.burst ?? defaultBurst(body.limit, periodMs), source: 'api' });
      await notifyReady(tx, [stageType]);
      return limit;
    });
  }

  async deleteRateLimit(stageType: string, tenantId: string | null): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockFlowSettings(tx);
      const source = await rateLimitSource(tx, stageType, tenantId);
      if (source === null) throw new NotFoundError('rate limit', `${stageType}${tenantId ? ` (tenant ${tenantId})` : ''}`);
      if (source === 'config') throw fromFile(`the rate limit of ${stageType}`);
      await deleteRateLimit(tx, stageType, tenantId);
      await notifyReady(tx, [stageType]);
    });
  }

  /**
   * Makes the database carry the configuration's groups and limits (source 'config'): creates and updates them and
   * removes config-declared ones the configuration no longer names. Every replica runs it at start; replicas with the
   * same configuration write the same rows (a rate limit's state is kept when its settings are unchanged).
   */
  async applyConfig(groups: GroupsConfig, limits: RateLimitsConfig): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockFlowSettings(tx);
      const owner = new Map<string, string>();
      for (const [name, g] of Object.entries(groups)) {
        for (const t of g.stageTypes) {
          if (owner.has(t)) throw new Error(`configuration flow.groups: stage type ${t} is in two job groups (${owner.get(t)}, ${name})`);
          owner.set(t, name);
        }
      }
      await deleteConfigGroupsExcept(tx, Object.keys(groups));
      // A configured group takes its stage types from any group set over the API.
      for (const [name, g] of Object.entries(groups)) await putQueueGroup(tx, name, g.maxInFlight, g.stageTypes, 'config');
      await deleteConfigRateLimitsExcept(tx, limits.map((l) => ({ stageType: l.stageType, tenantId: l.tenantId ?? null })));
      for (const l of limits) {
        await putRateLimit(tx, { stageType: l.stageType, tenantId: l.tenantId ?? null, limit: l.limit, periodMs: l.periodMs, burst: l.burst ?? defaultBurst(l.limit, l.periodMs), source: 'config' });
      }
    });
  }

  /** A stage type belongs to one group: an API group may take stage types of other API groups, not of configured ones. */
  private async assertFree(tx: Queryable, name: string, stageTypes: string[]): Promise<void> {
    const taken = (await membersOfOtherGroups(tx, name, stageTypes)).filter((m) => m.source === 'config');
    if (taken.length === 0) return;
    throw new ValidationError(
      `stage types already in a configured job group: ${taken.map((t) => `${t.stage_type} (${t.group_name})`).join(', ')}`,
      taken.map((t) => ({ path: `/body/stageTypes/${stageTypes.indexOf(t.stage_type)}`, message: `in job group ${t.group_name}, declared in the configuration` })),
    );
  }
}
