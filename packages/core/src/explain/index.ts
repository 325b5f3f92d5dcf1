// `--explain` for run, exec and agent: its own package entry (@bella/core/explain), imported only
// when the flag is given, so no start-up path loads it.
export * from './explain.js'
export * from './providers.js'
export * from './render.js'
