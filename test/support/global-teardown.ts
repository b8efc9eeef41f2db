import { Client } from 'pg';
import { getTestState } from './test-state';

export default async function globalTeardown(): Promise<void> {
  const state = getTestState();
  if (!state) return;
  if (state.stopEmbedded) {
    await state.stopEmbedded();
    return;
  }
  const admin = new Client({ connectionString: state.adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${state.databaseName} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
