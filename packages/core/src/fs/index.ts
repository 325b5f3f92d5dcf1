export {
  CREATED_DIR_MODE,
  DEFAULT_FILE_MODE,
  writeFileAtomic,
  writeFileAtomicSync,
  type WriteFileAtomicOptions,
  type WriteFileAtomicResult,
} from './atomic.js'
export {formatFileMode, parseFileMode} from './mode.js'
export {
  compareCodePoints,
  createFileSink,
  fileSinkDefinition,
  fileWriteError,
  parseFileSinkOptions,
  readableModeWarning,
  sortedKeys,
  type FileSinkFormat,
  type FileSinkOptions,
  type FileSinkSpec,
} from './file-sink.js'
export {removeStaleTempFiles, tempPathFor} from './temp-files.js'
export {resolveWriteTarget, resolveWriteTargetSync} from './target.js'
