import { STREAMED_ROUTE_PREFIX } from '../common/http/body-rules';

/**
 * The prefix every gateway request starts with: `/api/v1/gw/<name>/<path>` goes to `<upstream>/<path>`. It is the
 * body parser's streamed prefix, so the two cannot drift apart.
 */
export const GATEWAY_PATH = STREAMED_ROUTE_PREFIX;

/**
 * What follows `/api/v1/gw/<name>` in a request target (the path from its `/`, with the query), or undefined when the
 * path could climb out of the upstream's base path: a `.` or `..` segment, also percent-encoded or behind an encoded
 * slash or backslash (URL parsers resolve `%2e%2e` like `..`), or encoding that does not decode.
 */
export function forwardedTarget(url: string, name: string): string | undefined {
  const prefix = `${GATEWAY_PATH}${name}/`;
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length - 1);
  const query = rest.indexOf('?');
  const path = query === -1 ? rest : rest.slice(0, query);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) return undefined;
  return rest;
}
