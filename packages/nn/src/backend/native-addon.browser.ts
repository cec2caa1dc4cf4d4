// What a browser build gets for native-addon.ts (package.json "browser" maps it here): a page cannot load a Node
// addon, so every caller takes its pure-tfjs path, and no Node built-in enters the bundle.
export type { NativeAddon } from './native-addon';
export { BinaryOp, UnaryOp, ReduceOp } from './native-ops';

export function nativeAddonPath(): string {
  return '';
}

export function loadNativeAddon(): { addon: null; reason: string } {
  return { addon: null, reason: 'no native addon in a browser' };
}
