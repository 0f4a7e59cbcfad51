// Request and answer types of a route, inferred from the route table in @jobnik/contracts.
import type { RouteName, Routes } from '@jobnik/contracts';
import type { z } from 'zod';

type InputOf<S> = S extends z.ZodType ? z.input<S> : never;

export interface RouteInput<R extends RouteName> {
  params?: InputOf<NonNullable<Routes[R]['params']>>;
  query?: InputOf<NonNullable<Routes[R]['query']>>;
  body?: InputOf<NonNullable<Routes[R]['body']>>;
}

type Responses<R extends RouteName> = Routes[R]['responses'];
/** The body of the route's 2xx answer (undefined for 204). */
export type RouteOutput<R extends RouteName> = {
  [S in keyof Responses<R>]: S extends 200 | 201 | 204
    ? Responses<R>[S] extends z.ZodType
      ? z.output<Responses<R>[S]>
      : undefined
    : never;
}[keyof Responses<R>];
