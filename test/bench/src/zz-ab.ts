import { runBacklog } from './backlog-scaling.js';
console.log(JSON.stringify((await runBacklog(Number(process.env.P ?? 20000), 1)).map(Math.round)));
