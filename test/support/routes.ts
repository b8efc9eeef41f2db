import type { INestApplication } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { API_PREFIX, UNPREFIXED_PATHS } from '../../src/app.setup';
import { OPTIONAL_AUTH_KEY } from '../../src/common/decorators/auth.decorators';
import { IS_PUBLIC } from '../../src/common/decorators/public.decorator';

export interface RegisteredRoute {
  method: string;
  /** The full path with the global prefix, `:params` left in place. */
  path: string;
  /** @Public() or @OptionalAuth(): served without a token. */
  open: boolean;
  /** The handler and its controller class, for tests that read their metadata. */
  handler: (...args: unknown[]) => unknown;
  controller: new (...args: never[]) => object;
}

const join = (...parts: string[]): string => `/${parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/')}`;

/**
 * Every handler Nest registered, read from Nest's own metadata (no hand-kept list), so a test that walks the routes
 * covers a route added tomorrow too.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: RegisteredRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: never[]) => object) | undefined;
    if (!type || !wrapper.instance) continue;
    const base = (Reflect.getMetadata(PATH_METADATA, type) as string | undefined) ?? '';
    const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, (...args: unknown[]) => unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name]!;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (path === undefined || method === undefined) continue;
      const targets = [handler, type];
      const open = Boolean(reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) || reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets));
      const local = join(base, path);
      const prefixed = !(method === RequestMethod.GET && UNPREFIXED_PATHS.includes(local.slice(1)));
      routes.push({ method: RequestMethod[method]!, path: prefixed ? join(API_PREFIX, local) : local, open, handler, controller: type });
    }
  }
  return routes;
}

/** `:params` filled with one value (a well-formed id, so a guard must refuse before any lookup). */
export const withParams = (path: string, value: string): string => path.replace(/:[A-Za-z_]+/g, value);
