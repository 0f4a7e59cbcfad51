// The job map this worker speaks: every configured stage type carries a tile task (see WORKER_STAGE_TYPES).
export interface TileTask {
  x: number;
  y: number;
  zoom: number;
}

export interface TileResult {
  /** Size of the rendered tile. */
  bytes: number;
  /** FNV-1a checksum of the tile's pixels, so a result can be checked. */
  checksum: string;
}

export interface TileCheckpoint {
  /** Rows already rendered. */
  row: number;
  /** Running checksum after those rows. */
  hash: number;
}

export interface TileStage {
  task: TileTask;
  result: TileResult;
  checkpoint: TileCheckpoint;
}

export interface WorkerJobs {
  'tile-export': {
    data: { region: string };
    stages: Record<string, TileStage>;
  };
}
