import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from './data-source';

describe('runMigrations', () => {
  it('refuses to start when no migration is found (a partial build), before touching the database', async () => {
    // An unreachable URL: the refusal must come before any connection is tried.
    const ds = new DataSource({ ...dataSourceOptions('postgres://nobody@127.0.0.1:1/none'), migrations: [] });
    await expect(runMigrations(ds)).rejects.toThrow(/no migrations found .*the build is incomplete/);
  });

  it('finds the project migrations where the app looks for them', async () => {
    const ds = new DataSource(dataSourceOptions('postgres://nobody@127.0.0.1:1/none'));
    // What initialize() runs once connected: it reads the glob and connects to nothing.
    await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    expect(ds.migrations.length).toBeGreaterThan(10);
  });
});
