import { labelOptions, YES_NO } from '../question';
import { parseAnswer, stripFinalAnswer } from './answer';

const ABCD = labelOptions(['a cat', 'a dog', 'the sun', 'sleep']);

describe('parseAnswer', () => {
  test.each([
    ['Cats purr. Answer: B', 'B'],
    ['Cats purr.\nAnswer: (C)', 'C'],
    ['So the answer is (D).', 'D'],
    ['Therefore the answer is A.', 'A'],
    ['The answer is the sun, because it shines.', 'C'],
    ['Answer: sleep', 'D'],
    ['answer would be (B)', 'B'],
  ])('%j -> %s (four options)', (text, label) => {
    expect(parseAnswer(text, ABCD)).toBe(label);
  });

  test.each([
    ['It is large. So the answer is yes.', 'A'],
    ['Therefore, the answer (Yes or No) is No.', 'B'],
    ['Therefore, the answer (Yes or No) is:\n\nYes, it can.', 'A'],
    ['the answer is NO!', 'B'],
    ['yes', 'A'],
    ['No.', 'B'],
  ])('%j -> %s (yes/no)', (text, label) => {
    expect(parseAnswer(text, YES_NO)).toBe(label);
  });

  test('an option letter used as an article is not an answer', () => {
    // "A baby whale" must not read as option A; the first option text after the trigger is "no".
    expect(parseAnswer('Therefore, the answer is A baby whale would not fit, so no.', YES_NO)).toBe('B');
  });

  test('the last trigger wins', () => {
    expect(parseAnswer('I thought the answer is yes. On reflection the answer is no.', YES_NO)).toBe('B');
  });

  test('"not" does not count as "no"; "nothing" neither', () => {
    expect(parseAnswer('The answer is not clear, there is nothing to say.', YES_NO)).toBeUndefined();
  });

  test('no trigger in long text, or no option named: undefined (a parse failure)', () => {
    expect(
      parseAnswer('Whales are large mammals that live in every ocean of the world today.', YES_NO),
    ).toBeUndefined();
    expect(parseAnswer('Therefore, the answer (Yes or No) is moot.', YES_NO)).toBeUndefined();
    expect(parseAnswer('Answer: E', ABCD)).toBeUndefined();
  });

  test('the earliest option named after the trigger, longest on a tie', () => {
    const opts = labelOptions(['sun', 'sun dial', 'moon']);
    expect(parseAnswer('The answer is sun dial or moon', opts)).toBe('B');
    expect(parseAnswer('The answer is moon, not sun dial', opts)).toBe('C');
  });
});

describe('stripFinalAnswer', () => {
  test('drops the closing answer sentence, keeps the reasoning', () => {
    expect(stripFinalAnswer('A whale is 15 feet long. \nTherefore, the answer (Yes or No) is No.')).toBe(
      'A whale is 15 feet long.',
    );
    expect(stripFinalAnswer('Cats purr. So the answer is (A).')).toBe('Cats purr.');
  });

  test('keeps text with no answer, or whose last trigger is followed by a long continuation', () => {
    expect(stripFinalAnswer('Cats purr. Dogs bark.')).toBe('Cats purr. Dogs bark.');
    const long = `The answer is not obvious. ${'More reasoning follows here. '.repeat(10)}`;
    expect(stripFinalAnswer(long)).toBe(long.trim());
  });
});
