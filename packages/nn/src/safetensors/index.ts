export { SafetensorsError } from './errors';
export { type SafetensorsDtype, f16ToF32, f32ToF16, f32ToBf16 } from './dtypes';
export {
  type NamedArray,
  type TensorHeader,
  type SafetensorsHeader,
  type SafetensorsContents,
  type ReadSafetensorsOptions,
  readSafetensorsHeader,
  readSafetensors,
  readSafetensorsDir,
  findSafetensorsFiles,
  SINGLE_FILE,
  INDEX_FILE,
} from './read';
export { parseSafetensors } from './parse';
export { type ArrayToWrite, writeSafetensors, writeSafetensorsDir } from './write';
