/** State handed from jest's global setup to its teardown (they share one context). */
export interface TestState {
  adminUrl: string;
  databaseName: string;
  stopEmbedded?: () => Promise<void>;
}

const KEY = '__gatehouseTestState';

export function setTestState(state: TestState): void {
  (globalThis as Record<string, unknown>)[KEY] = state;
}

export function getTestState(): TestState | undefined {
  return (globalThis as Record<string, unknown>)[KEY] as TestState | undefined;
}
