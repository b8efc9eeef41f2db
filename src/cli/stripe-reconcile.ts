import { NestFactory } from '@nestjs/core';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import type { AppConfig } from '../config/config.types';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { StripeReconciler } from '../webhooks';

/** `npm run cli -- stripe:reconcile`: boots the app's modules without HTTP and runs the reconciler once. */
export async function stripeReconcile(config: AppConfig): Promise<number> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), persistent: true, database: 'gatehouse' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, config.databaseUrl ?? embedded!.url), { logger: ['error', 'warn'] });
  try {
    await app.get(StripeReconciler).run((line) => process.stdout.write(`${line}\n`));
    return 0;
  } finally {
    await app.close();
    await embedded?.stop();
  }
}
