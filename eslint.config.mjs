// ESLint 9 flat config: typescript-eslint's recommended rules (syntax only, no type information, so the whole
// repository lints in seconds), Nx's module boundaries, and eslint-config-prettier last so no rule fights
// the formatter. Run it with `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { createProjectGraphAsync } from '@nx/devkit';

// @nx/enforce-module-boundaries reads Nx's cached project graph and silently skips itself when there is none
// (a fresh clone): compute it here so the boundaries are always checked.
await createProjectGraphAsync({ exitOnError: true });

// The dependency rules, as tags (each project's package.json "nx": { "tags": [...] }).
// type:lib / type:app; scope:<package>; kind:model marks the tfjs model packages (nn, student, reranker).
const depConstraints = [
  // Libraries never import apps.
  { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  // The core is the foundation: it imports nothing of ours, and no tfjs.
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'], bannedExternalImports: ['@tensorflow/*'] },
  // The knowledge base stores passages; it knows nothing of search.
  { sourceTag: 'scope:knowledge-base', notDependOnLibsWithTags: ['scope:retriever'] },
  // The retriever imports no tfjs and no model.
  { sourceTag: 'scope:retriever', notDependOnLibsWithTags: ['kind:model'], bannedExternalImports: ['@tensorflow/*'] },
  // The student never imports the retriever (not even through another package: Nx checks the whole path).
  { sourceTag: 'scope:student', notDependOnLibsWithTags: ['scope:retriever'] },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      'runs/**',
      '.nx/**',
      'tmp/**',
      'tools/bench/out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // Tests import their own package by its public name (@kard/x), which is how users see it.
          allowCircularSelfDependency: true,
          depConstraints,
        },
      ],
      // Unused names are errors, but a leading underscore marks one kept on purpose (e.g. a positional argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Build configs import the shared tsup options by relative path: tools/ is no Nx project, and these files
    // are not part of any package's code.
    files: ['**/tsup.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
);
