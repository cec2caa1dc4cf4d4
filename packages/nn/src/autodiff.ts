// tfjs-core's CommonJS bundle registers no gradients (its register_all_gradients is ESM-only, which jest
// cannot require); the `@tensorflow/tfjs` node bundle registers all of them into the shared tfjs-core.
import '@tensorflow/tfjs';
