// What a sink or signal strategy plugin needs from bella, and nothing that loads oclif. build.mjs
// bundles the code into dist/index.js (no runtime dependencies) and turns this file, with its
// specifiers pointed at a copy of core's declarations, into dist/index.d.ts, so keep it to
// re-exports.
export type {
  Secrets,
  Sink,
  SinkContext,
  SinkDefinition,
  SinkWriteResult,
  SignalDefinition,
  SignalStrategy,
  SignalTarget,
} from '@bella/core/runtime'
export type {Registries, StrategyKind, StrategyRegistrar, StrategyRegistry} from '@bella/core/runtime'
export {BellaError, generalError, usageError, isBellaError} from '@bella/core/runtime'
export {createFileSink, parseFileSinkOptions, writeFileAtomic, DEFAULT_FILE_MODE} from '@bella/core/runtime'
export type {FileSinkFormat, FileSinkOptions, WriteFileAtomicOptions, WriteFileAtomicResult} from '@bella/core/runtime'
export {sinkContractChecks, signalContractChecks, trickySecrets} from '@bella/core/testing'
export type {ContractCheck, SinkContractOptions} from '@bella/core/testing'
