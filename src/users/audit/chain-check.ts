/** One sealed row as the verifier sees it: its stored chain fields and the hash recomputed from its content. */
export interface ChainRow {
  id: string;
  seq: string | null;
  prevHash: string | null;
  hash: string | null;
  computed: string;
}

/** Where the walk stands: the last good position (the anchor before the first row) and how many rows were checked. */
export interface ChainState {
  seq: bigint;
  hash: string;
  checked: number;
}

export type ChainBreak = { id: string; seq: string | null; why: 'unsealed' | 'gap' | 'link' | 'content' };

/**
 * Checks the next rows of the chain (in seq order) from `state`. A row breaks the chain when it was never sealed
 * (written with the triggers off), when its seq does not follow (a row before it was removed), when it does not point
 * at the previous row's hash (removed or reordered), or when its content no longer gives its hash (edited). Returns
 * the state after the last good row, or the first break.
 */
export function checkChain(state: ChainState, rows: readonly ChainRow[]): { state: ChainState } | { broken: ChainBreak; state: ChainState } {
  let { seq, hash, checked } = state;
  for (const row of rows) {
    const at = (why: ChainBreak['why']) => ({ broken: { id: row.id, seq: row.seq, why }, state: { seq, hash, checked } });
    if (row.seq === null || row.hash === null || row.prevHash === null) return at('unsealed');
    if (BigInt(row.seq) !== seq + 1n) return at('gap');
    if (row.prevHash !== hash) return at('link');
    if (row.computed !== row.hash) return at('content');
    seq = BigInt(row.seq);
    hash = row.hash;
    checked++;
  }
  return { state: { seq, hash, checked } };
}
