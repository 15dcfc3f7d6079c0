import { printable } from '../shared/printable.ts';
import { ConfigError } from '../shared/config-error.ts';

/** The one host plain HTTP may reach: local test servers. */
export const PLAIN_HTTP_HOST = '127.0.0.1';

/**
 * Checks a URL the code will send a secret to: `https://` always, plain `http://` only to
 * 127.0.0.1 (local tests), no user or password in it. Returns it without trailing slashes;
 * {@link ConfigError} naming the variable otherwise.
 *
 * @example
 * ```ts
 * httpsUrl('https://api.openai.com/v1/', 'OPENAI_BASE_URL'); // 'https://api.openai.com/v1'
 * httpsUrl('http://api.openai.com/v1', 'OPENAI_BASE_URL');   // throws: must use https://
 * ```
 */
export function httpsUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(printable(value, 200))}`);
  }
  if (url.username !== '' || url.password !== '') throw new ConfigError(`${name} must not carry a user or password`);
  const plainLocal = url.protocol === 'http:' && url.hostname === PLAIN_HTTP_HOST;
  if (url.protocol !== 'https:' && !plainLocal) {
    throw new ConfigError(
      `${name} must use https:// (plain http:// only to ${PLAIN_HTTP_HOST}, for tests), got ${JSON.stringify(printable(value, 200))}`,
    );
  }
  return value.replace(/\/+$/, '');
}
