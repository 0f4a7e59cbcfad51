// Whether the database carries the schema this manager was built for: the newest migration it ships must be
// applied. Without this, a manager started on an unmigrated database (the chart's hook Job skipped by
// `helm template | kubectl apply` or `--no-hooks`, an image bumped outside Helm) reported Ready and failed
// every request and background tick with `relation ... does not exist`.
import type { Logger } from 'pino';
import type { Queryable } from './db.js';
import { loadMigrations } from './migrate.js';

export interface SchemaStatus {
  current: boolean;
  /** Highest migration version applied to the database (0: none, or no migration table). */
  applied: number;
  /** Highest migration version this manager ships. */
  required: number;
  /** Why the schema is not usable, for /health/ready and the log; absent when current. */
  reason?: string;
}

/** The newest migration this build ships. */
export function requiredSchemaVersion(): number {
  return Math.max(0, ...loadMigrations().map((m) => m.version));
}

/** The newest migration applied to the database; 0 on an empty database. */
export async function appliedSchemaVersion(db: Queryable): Promise<number> {
  const [table] = await db.query<{ present: boolean }>(`SELECT to_regclass('jobnik_migrations') IS NOT NULL AS present`);
  if (!table?.present) return 0;
  const [row] = await db.query<{ version: number }>('SELECT coalesce(max(version), 0)::int AS version FROM jobnik_migrations');
  return row?.version ?? 0;
}

export function schemaStatus(applied: number, required: number): SchemaStatus {
  if (applied >= required) return { current: true, applied, required };
  return {
    current: false,
    applied,
    required,
    reason:
      `database schema is at version ${applied}, this manager needs ${required}: ` +
      'run `jobnik-manager migrate` (the Helm chart runs it as a hook Job) or start with JOBNIK_MIGRATE_ON_START=true',
  };
}

export interface SchemaCheckOptions {
  /** While the schema is behind (or unreadable), how often it is read again. */
  recheckMs?: number;
}

/**
 * Reads the applied version at most once per `recheckMs` while it is behind; once current it stays current
 * (migrations only move forward), so the check costs nothing on the hot path.
 */
export class SchemaCheck {
  readonly required = requiredSchemaVersion();
  private readonly recheckMs: number;
  /** Set once the schema is current: from then on nothing is read again. */
  private settled: SchemaStatus | null = null;
  private lastRead: { at: number; status: Promise<SchemaStatus> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger,
    options: SchemaCheckOptions = {},
  ) {
    this.recheckMs = options.recheckMs ?? 5_000;
  }

  /** The schema status; a failure to read it (database down) is a status that is not current. */
  status(): Promise<SchemaStatus> {
    if (this.settled) return Promise.resolve(this.settled);
    const now = Date.now();
    if (this.lastRead && now - this.lastRead.at < this.recheckMs) return this.lastRead.status;
    const status = appliedSchemaVersion(this.db).then(
      (applied) => {
        const s = schemaStatus(applied, this.required);
        if (s.current) this.settled = s;
        return s;
      },
      (err: unknown): SchemaStatus => ({ current: false, applied: 0, required: this.required, reason: `cannot read the schema version: ${(err as Error).message}` }),
    );
    this.lastRead = { at: now, status };
    return status;
  }

  /**
   * Runs `start` once the schema is current: right away when it already is (resolves after the first read),
   * otherwise from a timer that reads it again every `recheckMs`. Logs once when it parks and once when it
   * starts, not on every recheck.
   */
  async whenCurrent(start: () => void): Promise<void> {
    const first = await this.status();
    if (first.current) return start();
    this.logger.error({ applied: first.applied, required: first.required }, `${first.reason}; /health/ready answers 503 and background work waits until then`);
    const poll = async () => {
      this.timer = null;
      const s = await this.status();
      if (this.stopped) return;
      if (s.current) {
        this.logger.info({ version: s.applied }, 'database schema is current: starting background work');
        start();
      } else this.timer = setTimeout(() => void poll(), this.recheckMs).unref();
    };
    this.timer = setTimeout(() => void poll(), this.recheckMs).unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
