export * from './max-stale.js'
export {openSnapshot, peekHeader, sealSnapshot, snapshotKey, SnapshotRefused, type Snapshot, type SnapshotHeader} from './format.js'
export {forgetSnapshots, SnapshotVault, snapshotVaultFor, type SnapshotTarget} from './vault.js'
export * from './fallback.js'
