import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { join } from 'node:path';
import { CONSOLE_PATH } from '../../common/http/content-security';

/**
 * The console's files: plain ES modules, one stylesheet and one page, copied next to this file at build
 * (nest-cli.json `assets`), so `npm start` and the tests that boot the built server serve what ts-jest serves.
 */
export const CONSOLE_ASSETS_DIR = join(__dirname, 'assets');

/**
 * Serves the admin console under /admin/ from Gatehouse itself (issue #16). The files are public (they hold no data
 * and no secret: everything comes from the API, which authenticates each call). `wildcard: false` registers one route
 * per file found at start-up, so nothing outside the folder can be named and an unknown path is the usual 404.
 * `/admin` redirects to `/admin/`, where the page is. Caching is left to the security headers (no-store).
 */
export async function serveConsole(app: NestFastifyApplication): Promise<void> {
  await app.register(fastifyStatic, {
    root: CONSOLE_ASSETS_DIR,
    prefix: `${CONSOLE_PATH}/`,
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    cacheControl: false,
    dotfiles: 'deny',
  });
  app
    .getHttpAdapter()
    .getInstance()
    .get(CONSOLE_PATH, (_req, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302));
}
