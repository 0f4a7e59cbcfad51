// Job types: definitions looked up at job creation to fill defaults and validate `data` against
// the registered JSON Schema (compiled once per version of the type).
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { JobType, PutJobTypeRequest } from '@jobnik/contracts';
import type { Db, Queryable } from '../db/db.js';
import type { TenantScope } from '../domain/caller.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { getJobType, listJobTypes, putJobType } from '../store/job-types.js';

export class JobTypeService {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, { version: string; validate: ValidateFunction }>();

  constructor(private readonly db: Db) {}

  async put(tenantId: string, name: string, body: PutJobTypeRequest): Promise<JobType> {
    if (body.dataSchema) {
      try {
        this.ajv.compile(body.dataSchema);
      } catch (err) {
        throw new ValidationError(`dataSchema is not a valid JSON Schema: ${(err as Error).message}`, [{ path: '/body/dataSchema', message: (err as Error).message }]);
      }
    }
    return putJobType(this.db, tenantId, name, body);
  }

  /** The type inside a transaction (or on the pool); null when the tenant has not defined it. */
  find(db: Queryable, tenantId: string, name: string): Promise<JobType | null> {
    return getJobType(db, tenantId, name);
  }

  async mustGet(tenantId: string, name: string): Promise<JobType> {
    const type = await getJobType(this.db, tenantId, name);
    if (!type) throw new NotFoundError('job type', name);
    return type;
  }

  list(scope: TenantScope): Promise<JobType[]> {
    return listJobTypes(this.db, scope);
  }

  /** Throws a 400 naming each offending path (under `at`, the job's place in the body) when data does not satisfy the type's schema. */
  validateData(type: JobType, data: unknown, at = '/body'): void {
    if (!type.dataSchema) return;
    const key = `${type.tenantId}/${type.name}`;
    let entry = this.compiled.get(key);
    if (!entry || entry.version !== type.updatedAt) {
      entry = { version: type.updatedAt, validate: this.ajv.compile(type.dataSchema) };
      this.compiled.set(key, entry);
    }
    if (entry.validate(data ?? null)) return;
    const issues = (entry.validate.errors ?? []).map((e) => ({ path: `${at}/data${e.instancePath}`, message: e.message ?? 'invalid' }));
    throw new ValidationError(`data does not match the schema of job type ${type.name}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
  }
}
