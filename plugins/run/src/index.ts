// The run plugin's service, for callers that start `bella run` without going through oclif. The
// --watch code is not exported here on purpose: it is loaded only when --watch is given.
export {childEnvFor, prepareRun, runWithSecrets} from './run-service.js'
export type {PreparedRun, RunOptions} from './run-service.js'
export {FAST_RUN_OPTIONS, tryFastRun} from './fast-run.js'
