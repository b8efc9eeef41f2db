import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from './data-source';

/** Injection token of what start-up did to the schema (for the start line in main.ts). */
export const MIGRATION_REPORT = Symbol('MIGRATION_REPORT');
export interface MigrationReport {
  /** Migrations this start applied, oldest first (empty when the schema was up to date). */
  applied: string[];
  /** The newest migration the schema has (applied now or before). */
  latest?: string;
}

/** The app's one DataSource; pending migrations are applied before anything else can use it. */
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    // One report per app: the factory below fills it before any provider can read it.
    const report: MigrationReport = { applied: [] };
    return {
      module: DatabaseModule,
      providers: [{ provide: MIGRATION_REPORT, useValue: report }],
      exports: [MIGRATION_REPORT],
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...dataSourceOptions(databaseUrl), autoLoadEntities: true, retryAttempts: 3, retryDelay: 1_000 }),
          dataSourceFactory: async (options) => {
            const ds = await new DataSource(options!).initialize();
            report.applied = await runMigrations(ds);
            const [row] = (await ds.query('SELECT name FROM gatehouse_migrations ORDER BY timestamp DESC LIMIT 1')) as Array<{ name: string }>;
            report.latest = row?.name;
            return ds;
          },
        }),
      ],
    };
  }
}
