import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { StringDecoder } from 'node:string_decoder';
import { CorpusFormatError } from '../errors';
import { openInput } from '../input/open-input';
import { createProgress, type ProgressOption } from '@kard/core';

/** What a record extractor sees: SAX events with the element path from the root (`a/b/c`). */
export interface XmlHandlers<T> {
  open?(path: string, tag: SaxesTagPlain): void;
  /** Character data (text and CDATA) directly or indirectly inside the element at `path`. */
  text?(path: string, text: string): void;
  /** Called before `path` is popped; return a record to emit it. */
  close?(path: string): T | undefined;
}

/**
 * Streams records out of a large XML file (plain, gzip or bzip2 by magic bytes). The parser is fed one decoded
 * chunk at a time and the records each chunk completed are yielded before the next is read, so memory holds a
 * chunk and its records, never the file. Malformed XML is a `CorpusFormatError` with the line number.
 */
export async function* readXmlRecords<T>(
  file: string,
  label: string,
  handlers: XmlHandlers<T>,
  options: ProgressOption = {},
): AsyncGenerator<T> {
  const input = await openInput(file);
  const progress = createProgress({ label, total: input.bytes, unit: 'bytes', show: options.progress });
  const parser = new SaxesParser({ position: true });
  const ready: T[] = [];
  const path: string[] = [];
  let joined = '';
  let failure: Error | undefined;

  parser.on('error', (err) => {
    failure ??= new CorpusFormatError(file, parser.line, `malformed XML (${err.message})`);
  });
  parser.on('opentag', (tag) => {
    path.push(tag.name);
    joined = path.join('/');
    handlers.open?.(joined, tag as SaxesTagPlain);
  });
  const onText = (t: string) => handlers.text?.(joined, t);
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    try {
      const record = handlers.close?.(joined);
      if (record !== undefined) ready.push(record);
    } catch (err) {
      failure ??= new CorpusFormatError(file, parser.line, (err as Error).message);
    }
    path.pop();
    joined = path.join('/');
  });

  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of input.chunks) {
      parser.write(decoder.write(chunk as Buffer));
      if (failure) throw failure;
      while (ready.length) yield ready.shift()!;
      progress.update(input.bytesRead());
    }
    parser.write(decoder.end());
    parser.close();
    if (failure) throw failure;
    while (ready.length) yield ready.shift()!;
  } finally {
    progress.stop();
    input.close();
  }
}
