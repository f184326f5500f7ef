import { describe, expect, it } from 'vitest';
import { parseNumericTable } from '../../../../models/datasets/numeric-text.ts';

describe('parseNumericTable', () => {
  it('reads rows separated by LF or CRLF, values by spaces or tabs, skipping blank lines', () => {
    const t = parseNumericTable('1 2 3\r\n\n  4.5\t-6e-3  7.0000000e+000\n\n', 3, 'f.txt');
    expect(t.rows).toBe(2);
    expect([...t.values]).toEqual([1, 2, 3, 4.5, -0.006, 7]);
  });

  it('keeps every value the correctly rounded double of its text', () => {
    const texts = ['0.9180555898766518', '-0.1124999994242935', '1e-310', '2.5717778e-001', '123456789012345678'];
    const t = parseNumericTable(texts.join(' '), texts.length, 'f.txt');
    expect([...t.values]).toEqual(texts.map(Number));
  });

  it('reads a last line without a newline and an empty file', () => {
    expect(parseNumericTable('1 2\n3 4', 2, 'f.txt').rows).toBe(2);
    expect(parseNumericTable('', 2, 'f.txt').rows).toBe(0);
  });

  it('grows past its first guess of the value count', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `${i}`).join('\n');
    const t = parseNumericTable(text, 1, 'f.txt');
    expect(t.rows).toBe(5000);
    expect(t.values[4999]).toBe(4999);
  });

  it.each([
    ['a short row', '1 2 3\n4 5\n', 2, /f\.txt:2: expected 3 numbers, found 2/],
    ['a long row', '1 2 3 4\n', 1, /found 4/],
    ['a word', '1 2 x\n', 1, /"x" is not a finite number/],
    ['NaN', '1 NaN 3\n', 1, /not a finite number/],
    ['Infinity', '1 2 Infinity\n', 1, /not a finite number/],
  ])('rejects %s with its line', (_what, text, line, message) => {
    expect(() => parseNumericTable(text, 3, 'f.txt')).toThrow(expect.objectContaining({ code: 'DATASET_PARSE', line, path: 'f.txt' }));
    expect(() => parseNumericTable(text, 3, 'f.txt')).toThrow(message);
  });
});
