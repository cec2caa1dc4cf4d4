import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findDatasetsDir, formatDatasetList, listDatasets } from './registry';

describe('listDatasets', () => {
  test('finds the project datasets/ and marks what is shipped, with manifest record counts', () => {
    const dir = findDatasetsDir();
    expect(dir).toBe(path.resolve(__dirname, '../../../../datasets'));
    const list = listDatasets(dir);
    const file = (p: string) => list.flatMap((d) => d.files).find((f) => f.path === p)!;
    expect(file('strategyqa/train.json')).toMatchObject({ shipped: true, records: 2061 });
    expect(file('medqa/test.jsonl')).toMatchObject({ shipped: true, records: 1273 });
    expect(file('obqa/openbook.txt')).toMatchObject({ shipped: true, records: 1326 });
    expect(file('medqa/train.jsonl').shipped).toBe(false);
    expect(file('obqa/train.jsonl').shipped).toBe(false);
    expect(list.find((d) => d.name === 'obqa')!.download).toMatch(/OpenBookQA-V1-Sep2018\.zip/);
  });

  test('a file dropped into an empty datasets folder counts as shipped; everything else must be downloaded', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ds-'));
    mkdirSync(path.join(dir, 'medqa'));
    writeFileSync(path.join(dir, 'medqa', 'train.jsonl'), '');
    const files = listDatasets(dir).flatMap((d) => d.files);
    expect(files.filter((f) => f.shipped).map((f) => f.path)).toEqual(['medqa/train.jsonl']);
    const text = formatDatasetList(listDatasets(dir));
    expect(text).toMatch(/medqa\/train\.jsonl\s+train\s+medqa\s+shipped/);
    expect(text).toMatch(/download: train\/dev: github\.com\/jind11\/MedQA/);
  });
});
