// The user's job map and every type inferred from it: what createJob takes, what a handler gets and returns.
//
//   interface MyJobs {
//     'tile-export': {
//       data: { region: string };
//       stages: { 'tile-render': { data: { zoom: number }; task: { x: number; y: number }; result: { bytes: number } } };
//     };
//   }
//
// A stage entry may also declare `checkpoint` (what ctx.checkpoint saves). Keys left out fall back to any JSON.
import type { CreateJobRequest, CreateStage, CreateTask, Job, JobContext, JsonValue, LeasedTask, Stage, StageContext, Task } from '@jobnik/contracts';

/** What one job kind of the map looks like. Interfaces qualify (the map is checked key by key, not by index signature). */
export interface JobShape {
  data?: unknown;
  stages: object;
}
/** Constraint for a job map `J`: every key is a JobShape. */
export type JobMapOf<J> = { [K in keyof J]: JobShape };

/** The untyped default: any job name, any stage type, any JSON. */
export interface AnyJobs {
  [name: string]: {
    data?: JsonValue;
    stages: { [stageType: string]: { data?: JsonValue; task?: JsonValue; result?: unknown; checkpoint?: JsonValue } };
  };
}

type Field<D, K extends string, Fallback> = D extends unknown ? (K extends keyof D ? D[K] : Fallback) : never;
/** `data` is required when the map gives it a type that does not admit undefined. */
export type DataProp<D> = undefined extends D ? { data?: D } : { data: D };
/** Stored data comes back as null when it was left out. */
type Stored<D> = undefined extends D ? Exclude<D, undefined> | null : D;

export type JobName<J> = keyof J & string;
export type StagesOf<J, N extends keyof J> = J[N] extends { stages: infer S } ? S : never;
export type StageTypeOf<J, N extends keyof J> = keyof StagesOf<J, N> & string;
/** Every stage type of every job of the map. */
export type StageType<J> = { [N in keyof J]: StageTypeOf<J, N> }[keyof J];
/** The job kind(s) a stage type belongs to. */
export type JobOfStage<J, T> = { [N in keyof J]: T extends keyof StagesOf<J, N> ? N : never }[keyof J];
export type StageDef<J, T> = { [N in keyof J]: T extends keyof StagesOf<J, N> ? StagesOf<J, N>[T] : never }[keyof J];

export type JobData<J, N extends keyof J> = Field<J[N], 'data', JsonValue | undefined>;
export type StageData<J, T> = Field<StageDef<J, T>, 'data', JsonValue | undefined>;
export type TaskData<J, T> = Field<StageDef<J, T>, 'task', JsonValue | undefined>;
export type TaskResult<J, T> = Field<StageDef<J, T>, 'result', JsonValue | void>;
export type TaskCheckpoint<J, T> = Exclude<Field<StageDef<J, T>, 'checkpoint', JsonValue>, undefined>;

// ---- producer input ----
export type TaskInput<J, T> = Omit<CreateTask, 'data'> & DataProp<TaskData<J, T>>;
export type StageInput<J, N extends keyof J> = {
  [T in StageTypeOf<J, N>]: Omit<CreateStage, 'type' | 'data' | 'tasks'> & { type: T; tasks?: TaskInput<J, T>[] } & DataProp<StageData<J, T>>;
}[StageTypeOf<J, N>];
export type CreateJobInput<J, N extends keyof J> = Omit<CreateJobRequest, 'name' | 'data' | 'stages'> &
  DataProp<JobData<J, N>> & { stages?: StageInput<J, N>[] };

// ---- producer output ----
export type TypedTask<J, T> = T extends unknown
  ? Omit<Task, 'stageType' | 'data' | 'result' | 'checkpoint'> & {
      stageType: T;
      data: Stored<TaskData<J, T>>;
      result: Exclude<TaskResult<J, T>, void> | null;
      checkpoint: TaskCheckpoint<J, T> | null;
    }
  : never;
export type TypedStage<J, T> = T extends unknown
  ? Omit<Stage, 'type' | 'data' | 'tasks'> & { type: T; data: Stored<StageData<J, T>>; tasks?: TypedTask<J, T>[] }
  : never;
export type TypedJob<J, N extends keyof J> = N extends unknown
  ? Omit<Job, 'name' | 'data' | 'stages'> & { name: N; data: Stored<JobData<J, N>>; stages?: TypedStage<J, StageTypeOf<J, N>>[] }
  : never;

// ---- worker side ----
export type WorkerTask<J, T> = T extends unknown
  ? Omit<LeasedTask, 'stageType' | 'data' | 'checkpoint'> & {
      stageType: T;
      data: Stored<TaskData<J, T>>;
      /** What the previous attempt saved with ctx.checkpoint; resume from here. */
      checkpoint: TaskCheckpoint<J, T> | null;
    }
  : never;
export type TaskJobContext<J, T> = Omit<JobContext, 'name' | 'data'> & {
  name: JobOfStage<J, T>;
  data: Stored<JobData<J, JobOfStage<J, T>>>;
};
export type TaskStageContext<J, T> = Omit<StageContext, 'type' | 'data'> & { type: T; data: Stored<StageData<J, T>> };
