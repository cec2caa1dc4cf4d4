// The rule every browser build of KARD shares (the packages' `browser` entries and apps/kard-web): the graph holds
// no Node built-in, no native addon and no Node-only package, and a @kard/* import means that package's browser
// entry. esbuild alone already refuses an unresolvable built-in; this plugin names the KARD file that imported it,
// and refuses what esbuild would bundle silently (tfjs-node, Dawn's `webgpu` addon, transformers.js with its ONNX
// runtime). Node-only files inside a package are swapped for their *.browser.ts siblings by the package.json
// "browser" field, which esbuild applies on its own.
import { builtinModules } from 'node:module';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILTINS = new Set(builtinModules);
const NODE_ONLY_PACKAGES = [
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  '@huggingface/transformers',
  'faiss-node',
  'onnxruntime-node',
];

/**
 * @param {{ kard: 'source' | 'external' }} options `source`: @kard/x resolves to packages/x/src/browser.ts (the app's
 *   build, no package build needed); `external`: it stays an import of `@kard/x/browser` (a package's tsup build).
 * @returns {import('esbuild').Plugin}
 */
export function browserGraph({ kard }) {
  return {
    name: 'kard-browser-graph',
    setup(build) {
      build.onResolve({ filter: /^@kard\/[a-z0-9-]+(\/browser)?$/ }, (args) => {
        const name = args.path.split('/')[1];
        if (kard === 'external') return { path: `@kard/${name}/browser`, external: true };
        return { path: path.join(ROOT, 'packages', name, 'src', 'browser.ts') };
      });
      build.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
        const builtin = args.path.startsWith('node:') || BUILTINS.has(bare.split('/')[0]);
        const ours =
          args.importer.startsWith(path.join(ROOT, 'packages')) || args.importer.startsWith(path.join(ROOT, 'apps'));
        // Third-party browser builds map the built-ins they mention to `false` through their own "browser" field.
        if (builtin && ours) return { errors: [{ text: nodeOnly(args, `the Node built-in "${args.path}"`) }] };
        const pkg = NODE_ONLY_PACKAGES.find((p) => args.path === p || args.path.startsWith(`${p}/`));
        if (pkg) return { errors: [{ text: nodeOnly(args, `the Node-only package "${pkg}"`) }] };
        if (args.path.endsWith('.node'))
          return { errors: [{ text: nodeOnly(args, `the native addon "${args.path}"`) }] };
        return undefined;
      });
    },
  };
}

function nodeOnly(args, what) {
  return (
    `${path.relative(ROOT, args.importer)} imports ${what}, which cannot run in a browser: keep it out of the ` +
    `browser graph (a *.browser.ts sibling mapped in package.json "browser", or an import of @kard/x/browser)`
  );
}
