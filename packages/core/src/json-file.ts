// Reading a JSON file whose parse error names the file and the line, not just "Unexpected token at position 812".
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { InputFormatError } from './errors';

/** 1-based line of the character at `position` in `text`. */
function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(position, text.length); i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Parses JSON `text` read from `file`; a syntax error is an InputFormatError at the line where parsing stopped. */
export function parseJsonText<T = unknown>(text: string, file: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    // without a position (the text ended early) the error is at the last line
    const end = text.trimEnd().length; // an error in trailing whitespace is the text ending early: its last line
    const line = text.trim() === '' ? 0 : lineAt(text, at ? Math.min(Number(at[1]), end) : end);
    const reason = text.trim() === '' ? 'empty file, expected JSON' : `malformed JSON: ${message}`;
    throw new InputFormatError(file, line, reason, { cause: err });
  }
}

/**
 * Reads and parses a JSON file. Every failure names the file: a missing or unreadable file and malformed JSON
 * (with the line where parsing stopped) are InputFormatErrors.
 */
export function readJsonFile<T = unknown>(file: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, expected a JSON file'
          : (err as Error).message;
    throw new InputFormatError(file, 0, `cannot read: ${reason}`, { cause: err });
  }
  return parseJsonText<T>(text, file);
}

/**
 * Checks a Hugging Face tokenizer folder before transformers.js reads it: the folder, its tokenizer.json and
 * tokenizer_config.json exist and are JSON. The library's own errors name no file ("Cannot read properties of
 * undefined (reading 'tokenizer_class')" for a missing folder or config, a bare parse error for a damaged file);
 * these are InputFormatErrors naming the file (and line).
 */
export function checkTokenizerFolder(dir: string): void {
  const abs = path.resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new InputFormatError(abs, 0, 'no such tokenizer folder (one with tokenizer.json and tokenizer_config.json)');
  for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
    const file = path.join(abs, name);
    if (!existsSync(file)) throw new InputFormatError(file, 0, 'missing from the tokenizer folder');
    readJsonFile(file);
  }
}
