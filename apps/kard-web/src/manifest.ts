// The bundle manifest's shape, as @kard/pipeline writes it (a type-only import: no pipeline code in the page).
export type { WebBundleManifest } from '@kard/pipeline';
