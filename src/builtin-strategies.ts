// The sink and signal strategies that ship with bella. They are registered statically because the
// bundles (npm package and single binary) cannot load oclif hooks from files; a strategy package's
// hook file only wraps the same register function, for anyone installing it as a plain plugin.
import type {StrategyRegistrar} from '@bella/core/runtime'
import {registerSignals as registerNone} from '@bella/signal-none'
import {registerSignals as registerRestart} from '@bella/signal-restart'
import {registerSignals as registerSighup} from '@bella/signal-sighup'
import {registerSignals as registerSigterm} from '@bella/signal-sigterm'
import {registerSinks as registerDotenv} from '@bella/sink-dotenv'
import {registerSinks as registerJson} from '@bella/sink-json'
import {registerSinks as registerYaml} from '@bella/sink-yaml'
import {registerSinks as registerShell} from '@bella/sink-shell'

export const BUILTIN_STRATEGIES: StrategyRegistrar[] = [
  registerDotenv,
  registerJson,
  registerYaml,
  registerShell,
  registerRestart,
  registerSighup,
  registerSigterm,
  registerNone,
]
