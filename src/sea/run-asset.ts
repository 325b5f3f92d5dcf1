/**
 * `bella run`'s fast path in the single binary: bundled apart from the main script and embedded as
 * an asset whose V8 code cache the build makes after real runs against the emulator
 * (scripts/warm-run-cache.mjs), so a start compiles none of the functions a run goes through.
 * A SEA's own main-script cache is made without running anything, and holds little more than the
 * top level. It has its own copy of core's modules.
 */
export {tryFastRun} from '@bella/plugin-run'
export {setKeyringImporter} from '@bella/core/runtime'
