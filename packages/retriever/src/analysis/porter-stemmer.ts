/**
 * The original Porter (1980) stemmer, as Martin Porter's reference C implementation and Lucene's
 * PorterStemmer run it (including their two documented departures from the paper: "bli" -> "ble"
 * instead of "abli" -> "able", and "logi" -> "log"). Words of one or two characters are left alone.
 *
 * The word is copied into a reusable code-unit buffer and cut/rewritten in place, so one call allocates
 * only the resulting string. Anything that is not a, e, i, o, u (or a vowel-like y) counts as a consonant,
 * digits and non-Latin letters included, exactly as in the C code.
 */

const A = 97,
  E = 101,
  I = 105,
  O = 111,
  U = 117,
  Y = 121;

let b = new Uint16Array(64);
/** End of the word (inclusive) and end of the stem under test (inclusive), as `k` and `j` in the C code. */
let k = 0;
let j = 0;

function cons(i: number): boolean {
  const ch = b[i];
  if (ch === A || ch === E || ch === I || ch === O || ch === U) return false;
  if (ch === Y) return i === 0 ? true : !cons(i - 1);
  return true;
}

/** The number of consonant-vowel sequences ("m" of the paper) in b[0..j]. */
function measure(): number {
  let n = 0;
  let i = 0;
  for (;;) {
    if (i > j) return n;
    if (!cons(i)) break;
    i++;
  }
  i++;
  for (;;) {
    for (;;) {
      if (i > j) return n;
      if (cons(i)) break;
      i++;
    }
    i++;
    n++;
    for (;;) {
      if (i > j) return n;
      if (!cons(i)) break;
      i++;
    }
    i++;
  }
}

function vowelInStem(): boolean {
  for (let i = 0; i <= j; i++) if (!cons(i)) return true;
  return false;
}

function doubleConsonant(at: number): boolean {
  if (at < 1 || b[at] !== b[at - 1]) return false;
  return cons(at);
}

/** consonant-vowel-consonant ending at `i`, the last not w, x or y ("hop" yes, "snow" no). */
function cvc(i: number): boolean {
  if (i < 2 || !cons(i) || cons(i - 1) || !cons(i - 2)) return false;
  const ch = b[i];
  return ch !== 119 && ch !== 120 && ch !== Y;
}

function ends(s: string): boolean {
  const l = s.length;
  if (l > k + 1 || s.charCodeAt(l - 1) !== b[k]) return false;
  const start = k - l + 1;
  for (let i = 0; i < l; i++) if (b[start + i] !== s.charCodeAt(i)) return false;
  j = k - l;
  return true;
}

function setTo(s: string): void {
  const l = s.length;
  for (let i = 0; i < l; i++) b[j + 1 + i] = s.charCodeAt(i);
  k = j + l;
}

function replaceIfMeasured(s: string): void {
  if (measure() > 0) setTo(s);
}

/** Plurals and -ed / -ing. */
function step1ab(): void {
  if (b[k] === 115 /* s */) {
    if (ends('sses')) k -= 2;
    else if (ends('ies')) setTo('i');
    else if (b[k - 1] !== 115) k--;
  }
  if (ends('eed')) {
    if (measure() > 0) k--;
  } else if ((ends('ed') || ends('ing')) && vowelInStem()) {
    k = j;
    if (ends('at')) setTo('ate');
    else if (ends('bl')) setTo('ble');
    else if (ends('iz')) setTo('ize');
    else if (doubleConsonant(k)) {
      k--;
      const ch = b[k];
      if (ch === 108 || ch === 115 || ch === 122) k++; // l, s, z stay doubled
    } else if (measure() === 1 && cvc(k)) setTo('e');
  }
}

/** Terminal y to i when there is another vowel in the stem. */
function step1c(): void {
  if (ends('y') && vowelInStem()) b[k] = I;
}

/** Each row: suffix, replacement. Tried in order; the first suffix that matches ends the step. */
const STEP2: Record<string, [string, string][]> = {
  a: [
    ['ational', 'ate'],
    ['tional', 'tion'],
  ],
  c: [
    ['enci', 'ence'],
    ['anci', 'ance'],
  ],
  e: [['izer', 'ize']],
  l: [
    ['bli', 'ble'],
    ['alli', 'al'],
    ['entli', 'ent'],
    ['eli', 'e'],
    ['ousli', 'ous'],
  ],
  o: [
    ['ization', 'ize'],
    ['ation', 'ate'],
    ['ator', 'ate'],
  ],
  s: [
    ['alism', 'al'],
    ['iveness', 'ive'],
    ['fulness', 'ful'],
    ['ousness', 'ous'],
  ],
  t: [
    ['aliti', 'al'],
    ['iviti', 'ive'],
    ['biliti', 'ble'],
  ],
  g: [['logi', 'log']],
};
const STEP3: Record<string, [string, string][]> = {
  e: [
    ['icate', 'ic'],
    ['ative', ''],
    ['alize', 'al'],
  ],
  i: [['iciti', 'ic']],
  l: [
    ['ical', 'ic'],
    ['ful', ''],
  ],
  s: [['ness', '']],
};
const STEP4: Record<string, string[]> = {
  a: ['al'],
  c: ['ance', 'ence'],
  e: ['er'],
  i: ['ic'],
  l: ['able', 'ible'],
  n: ['ant', 'ement', 'ment', 'ent'],
  s: ['ism'],
  t: ['ate', 'iti'],
  u: ['ous'],
  v: ['ive'],
  z: ['ize'],
};

function replaceSuffix(table: Record<string, [string, string][]>, at: number): void {
  if (at < 0) return;
  const rows = table[String.fromCharCode(b[at])];
  if (!rows) return;
  for (const [suffix, replacement] of rows) {
    if (ends(suffix)) {
      replaceIfMeasured(replacement);
      return;
    }
  }
}

/** Removes -ant, -ence, etc. when the stem has m > 1. */
function step4(): void {
  if (k < 1) return;
  const key = String.fromCharCode(b[k - 1]);
  let matched = false;
  if (key === 'o') {
    matched = (ends('ion') && j >= 0 && (b[j] === 115 || b[j] === 116)) || ends('ou');
  } else {
    for (const suffix of STEP4[key] ?? []) {
      if (ends(suffix)) {
        matched = true;
        break;
      }
    }
  }
  if (matched && measure() > 1) k = j;
}

/** Final -e, and -ll to -l, when m > 1. */
function step5(): void {
  j = k;
  if (b[k] === E) {
    const a = measure();
    if (a > 1 || (a === 1 && !cvc(k - 1))) k--;
  }
  if (b[k] === 108 && doubleConsonant(k) && measure() > 1) k--;
}

/** Stems one lowercase word with the original Porter algorithm. */
export function porterStem(word: string): string {
  const n = word.length;
  if (n <= 2) return word;
  if (n > b.length) b = new Uint16Array(n * 2);
  for (let i = 0; i < n; i++) b[i] = word.charCodeAt(i);
  k = n - 1;
  j = 0;
  step1ab();
  if (k > 0) {
    step1c();
    replaceSuffix(STEP2, k - 1);
    replaceSuffix(STEP3, k);
    step4();
    step5();
  }
  // The stem is the word's prefix with at most a few rewritten code units at the end.
  const end = k + 1;
  let same = 0;
  while (same < end && same < n && b[same] === word.charCodeAt(same)) same++;
  if (same === end) return end === n ? word : word.slice(0, end);
  let tail = '';
  for (let i = same; i < end; i++) tail += String.fromCharCode(b[i]);
  return word.slice(0, same) + tail;
}

/** Porter stemming with a memo: a corpus has far fewer distinct words than tokens. */
export class PorterStemmer {
  private readonly memo = new Map<string, string>();

  /** @param maxCacheSize distinct words remembered before the memo starts over (default 1,000,000). */
  constructor(private readonly maxCacheSize = 1_000_000) {}

  stem(word: string): string {
    let stem = this.memo.get(word);
    if (stem === undefined) {
      stem = porterStem(word);
      if (this.memo.size >= this.maxCacheSize) this.memo.clear();
      this.memo.set(word, stem);
    }
    return stem;
  }
}
