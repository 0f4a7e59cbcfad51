// Which lifecycle buttons make sense for a job or stage in a given status: the contracts' action table,
// the same one the manager enforces (an illegal call still answers 409 ILLEGAL_TRANSITION, shown as an error).
export { jobActionAllowed, stageActionAllowed, type JobAction as JobActionName, type StageAction as StageActionName } from '@jobnik/contracts/states';
