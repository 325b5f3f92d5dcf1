// Everything in core that does not need oclif. Loading @oclif/core costs ~80 ms, more than half of
// `bella run`'s start-up budget, so the fast run path (and any library user) imports this entry,
// which must never import @oclif/core at run time (type-only imports are fine).
export * from './errors.js'
export * from './output.js'
export * from './streams.js'
export * from './crypto/api-key.js'
export * from './crypto/hmac.js'
export * from './crypto/e2ee.js'
export * from './api/index.js'
export * from './config/index.js'
export * from './credentials/index.js'
export * from './process/index.js'
export * from './strategies/index.js'
export * from './fs/index.js'
export * from './session.js'
export * from './session-input.js'
export * from './command-line.js'
export * from './workload/index.js'
