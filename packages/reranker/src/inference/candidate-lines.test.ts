import { InputFormatError } from '@kard/core';
import { parseCandidateLines } from './candidate-lines';

describe('parseCandidateLines (kard-reranker rerank input)', () => {
  it('reads id, title, text and score; a missing score is NaN, never 0', () => {
    const hits = parseCandidateLines(
      '{"id": 7, "title": "T", "text": "x", "score": 2.5}\n\n{"id": "b", "text": "y"}\n',
    );
    expect(hits).toHaveLength(2);
    expect(hits[0]).toEqual({ id: '7', score: 2.5, rank: 1, passage: { id: '7', title: 'T', text: 'x' } });
    expect(hits[1].id).toBe('b');
    expect(hits[1].rank).toBe(2);
    expect(hits[1].score).toBeNaN();
  });

  it('names the line of a bad one', () => {
    expect(() => parseCandidateLines('{"id": "a", "text": "x"}\n{"id": "b", "text": "y", "score": "3"}\n')).toThrow(
      'stdin:2: "score" must be a number, got "3"',
    );
    expect(() => parseCandidateLines('{not json\n', 'in.jsonl')).toThrow(InputFormatError);
    expect(() => parseCandidateLines('[1]\n')).toThrow(/stdin:1: expected a JSON object/);
  });
});
