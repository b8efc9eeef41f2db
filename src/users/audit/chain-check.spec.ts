import { type ChainRow, checkChain } from './chain-check';

const row = (seq: number, prev: string, hash: string, computed = hash): ChainRow => ({ id: String(100 + seq), seq: String(seq), prevHash: prev, hash, computed });
const start = { seq: 4n, hash: 'anchor', checked: 0 };

describe('the audit hash chain check', () => {
  it('walks an intact chain from the anchor and ends on the last row', () => {
    expect(checkChain(start, [row(5, 'anchor', 'h5'), row(6, 'h5', 'h6')])).toEqual({ state: { seq: 6n, hash: 'h6', checked: 2 } });
  });

  it('an empty stretch leaves the state as it was', () => {
    expect(checkChain(start, [])).toEqual({ state: start });
  });

  it.each([
    ['an edited row (content no longer gives its hash)', [row(5, 'anchor', 'h5'), row(6, 'h5', 'h6', 'other')], { id: '106', seq: '6', why: 'content' }],
    ['a removed row (seq gap)', [row(5, 'anchor', 'h5'), row(7, 'h6', 'h7')], { id: '107', seq: '7', why: 'gap' }],
    ['a row pointing elsewhere', [row(5, 'anchor', 'h5'), row(6, 'hX', 'h6')], { id: '106', seq: '6', why: 'link' }],
    ['a first row not on the anchor', [row(5, 'not-anchor', 'h5')], { id: '105', seq: '5', why: 'link' }],
    ['a row written with the triggers off', [{ id: '9', seq: null, prevHash: null, hash: null, computed: 'x' }], { id: '9', seq: null, why: 'unsealed' }],
  ])('breaks at %s', (_name, rows, broken) => {
    const result = checkChain(start, rows);
    expect('broken' in result && result.broken).toEqual(broken);
  });

  it('counts only the rows before the break', () => {
    const result = checkChain(start, [row(5, 'anchor', 'h5'), row(6, 'h5', 'h6', 'x')]);
    expect(result.state).toEqual({ seq: 5n, hash: 'h5', checked: 1 });
  });
});
