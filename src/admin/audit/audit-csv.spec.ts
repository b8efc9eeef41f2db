import { csvCell, csvLine } from './audit-csv';

describe('audit CSV cells', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['  =1', "'  =1"],
  ])('neutralises a formula: %j', (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it('escapes line breaks so one record is one line, and keeps backslashes unambiguous', () => {
    expect(csvCell('first\r\nsecond\nthird')).toBe('first\\r\\nsecond\\nthird');
    expect(csvCell('a\\nb')).toBe('a\\\\nb');
    expect(csvLine(['x\ny', 'z']).split('\r\n')).toEqual(['x\\ny,z', '']);
  });

  it('quotes commas and quotes, leaves plain text, renders empty, dates and objects', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05.000Z');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});
