// The job map both examples share: one job kind with one stage type.
export interface TileJobs {
  'tile-export': {
    data: { region: string };
    stages: {
      'tile-render': { data: { zoom: number }; task: { x: number; y: number }; result: { bytes: number }; checkpoint: { row: number } };
    };
  };
}
