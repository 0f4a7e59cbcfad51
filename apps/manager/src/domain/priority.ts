// Priorities travel as names and are stored as 0..4 (0 first) so the ready index compares integers.
import { PRIORITIES, type Priority } from '@jobnik/contracts';

export function priorityToInt(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

export function priorityFromInt(n: number): Priority {
  const p = PRIORITIES[n];
  if (!p) throw new Error(`priority ${n} out of range`);
  return p;
}

/** SQL for the stored 0..4 priority of `column` as its wire name (priorityFromInt inside a statement). */
export function priorityNameSql(column: string): string {
  return `(ARRAY[${PRIORITIES.map((p) => `'${p}'`).join(', ')}])[${column} + 1]`;
}
