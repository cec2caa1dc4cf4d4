import { MissingDependencyError } from './errors';
import { loadFaiss } from './faiss';

// Runs before anything in this file loads the real faiss-node, so the module cache is still empty.
describe('loadFaiss', () => {
  const failing = (message: string, code?: string) => () => {
    throw Object.assign(new Error(message), { code });
  };

  test('not installed: says so and how to get it', () => {
    const err = (() => {
      try {
        loadFaiss(failing("Cannot find module 'faiss-node'\nRequire stack: ...", 'MODULE_NOT_FOUND'));
      } catch (e) {
        return e as MissingDependencyError;
      }
    })();
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect(err!.dependency).toBe('faiss-node');
    expect(err!.message).toMatch(
      /^DenseIndex needs faiss-node: faiss-node is not installed\. Install it with `npm install faiss-node`/,
    );
    expect(err!.message).toContain('tools/setup/steps/10-faiss-node.sh');
  });

  test('installed but the addon is not built: names the loader error', () => {
    expect(() =>
      loadFaiss(failing('Could not locate the bindings file. Tried:\n → build/Release/faiss-node.node')),
    ).toThrow(
      /faiss-node is installed but its native addon does not load \(Could not locate the bindings file\. Tried:\)/,
    );
  });

  test('the real module loads and is cached', () => {
    const faiss = loadFaiss();
    expect(typeof faiss.IndexFlatIP).toBe('function');
    expect(loadFaiss(failing('never called'))).toBe(faiss);
  });
});
