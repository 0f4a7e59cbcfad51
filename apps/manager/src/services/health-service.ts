// Readiness: whether this manager can do its work right now.
import type { Db, DbKind } from '../db/db.js';

export interface Readiness {
  ok: boolean;
  database: DbKind;
}

export class HealthService {
  constructor(private readonly db: Db) {}

  async ready(): Promise<Readiness> {
    return { ok: await this.db.ping(), database: this.db.kind };
  }
}
