// SQL for job types: per tenant and job name, defaults and a JSON Schema for data.
import type { JobType, PutJobTypeRequest } from '@jobnik/contracts';
import { statement, type Queryable, type Row } from '../db/db.js';
import { iso } from './mappers.js';
import { inScope } from './tenant-scope.js';

export function toJobType(r: Row): JobType {
  return {
    tenantId: r.tenant_id as string,
    name: r.name as string,
    description: (r.description as string | null) ?? null,
    defaults: (r.defaults ?? {}) as JobType['defaults'],
    dataSchema: (r.data_schema ?? null) as JobType['dataSchema'],
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export async function putJobType(db: Queryable, tenantId: string, name: string, body: PutJobTypeRequest): Promise<JobType> {
  const rows = await db.query(
    `INSERT INTO job_types (tenant_id, name, description, defaults, data_schema) VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb)
     ON CONFLICT (tenant_id, name) DO UPDATE SET description = EXCLUDED.description, defaults = EXCLUDED.defaults,
       data_schema = EXCLUDED.data_schema, updated_at = now()
     RETURNING *`,
    [tenantId, name, body.description ?? null, JSON.stringify(body.defaults ?? {}), body.dataSchema ? JSON.stringify(body.dataSchema) : null],
  );
  return toJobType(rows[0]!);
}

const GET_JOB_TYPE = statement('jobnik_get_job_type', 'SELECT * FROM job_types WHERE tenant_id = $1 AND name = $2');

export async function getJobType(db: Queryable, tenantId: string, name: string): Promise<JobType | null> {
  const rows = await db.query(GET_JOB_TYPE, [tenantId, name]);
  return rows[0] ? toJobType(rows[0]) : null;
}

export async function listJobTypes(db: Queryable, scope: string | null): Promise<JobType[]> {
  return (await db.query(`SELECT * FROM job_types WHERE ${inScope('tenant_id', '$1')} ORDER BY tenant_id, name`, [scope])).map(toJobType);
}
