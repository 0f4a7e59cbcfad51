// Readiness: whether this manager can do its work right now: the database answers and carries the schema this
// build needs (a manager on an unmigrated database is not ready, with the reason).
import type { Db, DbKind } from '../db/db.js';
import type { SchemaCheck } from '../db/schema-version.js';

export interface Readiness {
  ok: boolean;
  database: DbKind;
  /** Why not ready. */
  reason?: string;
  /** Applied and required migration versions, once the database answers. */
  schema?: { applied: number; required: number };
}

export class HealthService {
  constructor(
    private readonly db: Db,
    private readonly schemaCheck: SchemaCheck,
  ) {}

  async ready(): Promise<Readiness> {
    const database = this.db.kind;
    if (!(await this.db.ping())) return { ok: false, database, reason: 'the database does not answer' };
    const s = await this.schemaCheck.status();
    const schema = { applied: s.applied, required: s.required };
    return s.current ? { ok: true, database, schema } : { ok: false, database, reason: s.reason!, schema };
  }
}
