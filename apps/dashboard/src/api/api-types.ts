// Wire types the dashboard uses, all inferred from @jobnik/contracts (type imports only: no zod in the bundle).
import type { API_KEY_HEADER as ContractKeyHeader, JOB_SORTS as ContractSorts, RouteName, Routes } from '@jobnik/contracts';
import type { z } from 'zod';

export type {
  Job,
  JobStatus,
  Priority,
  Problem,
  ProblemIssue,
  Queue,
  QueueGroup,
  RateLimit,
  Schedule,
  Stage,
  StageStatus,
  Stats,
  Task,
  TaskStatus,
  TaskSummary,
  Worker,
} from '@jobnik/contracts';
export type JobSort = (typeof ContractSorts)[number];
export type ApiKeyHeader = typeof ContractKeyHeader;

type Responses<R extends RouteName> = Routes[R]['responses'];

/** The body of a route's successful answer. */
export type AnswerOf<R extends RouteName> = Responses<R> extends { 200: infer S extends z.ZodType }
  ? z.output<S>
  : Responses<R> extends { 201: infer S extends z.ZodType }
    ? z.output<S>
    : undefined;

/** A route's request body. */
export type BodyOf<R extends RouteName> = NonNullable<Routes[R]['body']> extends infer S extends z.ZodType ? z.input<S> : never;
