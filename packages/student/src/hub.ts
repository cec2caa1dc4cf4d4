// `--model google/flan-t5-base`: fetch the files a T5 folder needs into the usual Hugging Face cache
// (~/.cache/huggingface/hub, or $HF_HUB_CACHE / $HF_HOME), then load it like any local folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, KardError } from '@kard/core';

export class HubDownloadError extends KardError {
  constructor(
    readonly repo: string,
    reason: string,
  ) {
    super(
      `cannot download ${repo} from the Hugging Face Hub: ${reason}. Without a network, pass a local model folder ` +
        `instead (e.g. one saved by save_pretrained).`,
    );
    this.name = 'HubDownloadError';
  }
}

const REQUIRED = ['config.json'];
const OPTIONAL = [
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'spiece.model',
];

/** Whether `spec` names a Hub repository rather than a folder: `owner/name` that is not a local path. */
export function isHubId(spec: string): boolean {
  // `./model` and `../model` are paths, whether or not they exist
  return /^[\w.-]+\/[\w.-]+$/.test(spec) && !/^\.\.?\//.test(spec) && !fs.existsSync(spec);
}

/**
 * Downloads (or finds in the cache) a model's config, safetensors weights and tokenizer; returns the snapshot folder.
 */
export async function downloadFromHub(
  repo: string,
  opts: { revision?: string; cacheDir?: string } = {},
): Promise<string> {
  let hub: typeof import('@huggingface/hub');
  try {
    hub = await import('@huggingface/hub');
  } catch (err) {
    throw new HubDownloadError(repo, `@huggingface/hub is not installed (${(err as Error).message})`);
  }
  const get = (file: string) =>
    hub.downloadFileToCacheDir({
      repo,
      path: file,
      revision: opts.revision,
      cacheDir: opts.cacheDir,
      accessToken: process.env.HF_TOKEN,
    });
  try {
    let dir = '';
    for (const f of REQUIRED) dir = path.dirname(await get(f));
    for (const f of OPTIONAL) await get(f).catch(() => undefined);
    const index = await get('model.safetensors.index.json').catch(() => undefined);
    if (index) {
      const shards = new Set(Object.values(readJsonFile<{ weight_map: Record<string, string> }>(index).weight_map));
      for (const s of shards) await get(s);
    } else {
      await get('model.safetensors');
    }
    return dir;
  } catch (err) {
    throw new HubDownloadError(repo, (err as Error).message);
  }
}
