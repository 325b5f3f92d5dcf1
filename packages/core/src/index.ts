// The plugin SDK: the oclif-free runtime plus what commands need from oclif. Keep heavy modules
// (yaml, the keychain, …) out of every top-level import chain here: this is on every command's
// start-up path.
export * from './runtime.js'
export * from './base-command.js'
export * from './command-flags.js'
