// A table-driven state machine; each entity declares its table once and every write path asks it.
import { type Entity, IllegalTransitionError } from './errors.js';

export class StateMachine<S extends string> {
  constructor(
    private readonly entity: Entity,
    private readonly edges: Readonly<Record<S, readonly S[]>>,
    readonly finals: readonly S[],
  ) {}

  can(from: S, to: S): boolean {
    return this.edges[from].includes(to);
  }

  assert(id: string, from: S, to: S): void {
    if (!this.can(from, to)) throw new IllegalTransitionError(this.entity, id, from, to);
  }

  isFinal(status: S): boolean {
    return this.finals.includes(status);
  }

  /** Every state that may move to `to`: the WHERE clause of a bulk transition. */
  sourcesOf(to: S): S[] {
    return (Object.keys(this.edges) as S[]).filter((from) => this.edges[from].includes(to));
  }
}
