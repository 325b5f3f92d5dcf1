// Child-process supervision for `bella run` / `bella exec`. Only node: built-ins at top level
// (node:child_process itself is imported lazily when a child is started).
export * from './env.js'
export * from './limits.js'
export * from './exit.js'
export * from './resolve.js'
export * from './child.js'
export * from './signals.js'
export * from './pid1.js'
export * from './supervisor.js'
export * from './early-signals.js'
export * from './mask/mode.js'
