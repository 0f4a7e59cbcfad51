// The contracts accept what the API documents and reject the rest, with paths users can act on.
import { describe, expect, it } from 'vitest';
import { CreateJobRequest, DequeueRequest, ListJobsQuery, buildOpenApiDocument, pathOf, routes, v1Routes } from './index.js';

describe('contracts', () => {
  it('fills defaults a producer may leave out', () => {
    const job = CreateJobRequest.parse({ name: 'tile-export', stages: [{ type: 'tile-render', tasks: [{}] }] });
    expect(job.priority).toBeUndefined(); // the manager applies the job type's default, else MEDIUM
    expect(job.parallelStages).toBe(false);
    expect(job.stages?.[0]?.failFast).toBe(true);
    expect(DequeueRequest.parse({ workerId: 'w-1' })).toMatchObject({ max: 1, waitMs: 0 });
  });

  it('rejects unknown fields and names the path', () => {
    const r = CreateJobRequest.safeParse({ name: 'x', stages: [{ type: 't', tasks: [{ dta: 1 }] }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['stages', 0, 'tasks', 0]);
  });

  it('parses comma-separated enum filters from query strings', () => {
    expect(ListJobsQuery.parse({ status: 'PENDING, FAILED', limit: '20' })).toMatchObject({ status: ['PENDING', 'FAILED'], limit: 20, sort: '-createdAt' });
    expect(ListJobsQuery.safeParse({ status: 'PENDING,DONE' }).success).toBe(false);
  });

  it('fills route paths and refuses a missing parameter', () => {
    expect(pathOf(routes.getJob.path, { jobId: 'a b' })).toBe('/jobs/a%20b');
    expect(() => pathOf(routes.getJob.path, {})).toThrow(/jobId/);
  });

  it('builds an OpenAPI document with one operation per route and shared components', () => {
    const doc = buildOpenApiDocument();
    const ops = Object.values(doc.paths).flatMap((p) => Object.keys(p));
    expect(ops).toHaveLength(Object.keys(routes).length + Object.keys(v1Routes).length);
    expect(doc.components.schemas).toHaveProperty('V1Error');
    expect(doc.components.schemas).toHaveProperty('Job');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });
});
