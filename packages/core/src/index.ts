export { KardError, InputFormatError, NoSpaceError, UsageError } from './errors';
export { writeFileAtomic, fillFileAtomic, writeDirAtomic } from './atomic';
export {
  assertReplaceable,
  writeOwnerManifest,
  OutputExistsError,
  OUTPUT_MARKER,
  type OutputOwner,
  type ReplaceOptions,
} from './output-guard';
export { readJsonFile, parseJsonText, checkTokenizerFolder } from './json-file';
export { describeCliError, signalExitCode } from './cli-exit';
export { readJsonl, readJsonlEntries, toJsonl, writeJsonl, type JsonlEntry } from './jsonl';
export { Rng, type RngState } from './rng';
export { meanInterval, wilsonInterval, Z95 } from './stats';
export {
  createProgress,
  noProgress,
  progressShown,
  type Progress,
  type ProgressOption,
  type ProgressOptions,
  type ProgressPayload,
} from './progress';
export { GrowableUint32Array, GrowableBigUint64Array } from './growable';
export { stringifyHfConfig, HF_FLOAT_FIELDS } from './hf-json';
export { yieldToEventLoop } from './event-loop';
export { FileLock, FileLockedError, withLock, type FileLockOptions, type LockHolder } from './lock';
