// Pointing a process at the local emulators: the AWS SDK's standard endpoint variables, and
// `*.localhost` names resolved to loopback. Light on purpose (no emulator is imported here): every
// test worker runs it before its tests.
import dns from 'node:dns';

/** Where the emulators listen, as the AWS SDK's standard endpoint variables want them. */
export interface EmulatorEndpoints {
  readonly dynamodb: string;
  readonly sqs: string;
  readonly sns: string;
  /** fauxqs' S3 as `http://localhost:<port>`: a bucket is then `<bucket>.localhost` (or a path, with path-style addressing), on loopback. */
  readonly s3: string;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

let resolvingLocalhost = false;

/**
 * Makes this process resolve `*.localhost` (`sqs.us-east-1.localhost`, fauxqs' queue hosts) to
 * 127.0.0.1, as RFC 6761 reserves those names for loopback (glibc resolves only `localhost`
 * itself). Every other name goes to the resolver as before. Idempotent.
 *
 * @example
 * ```ts
 * resolveLocalhostNames(); // then http://sqs.us-east-1.localhost:4566 reaches 127.0.0.1:4566
 * ```
 */
export function resolveLocalhostNames(): void {
  if (resolvingLocalhost) return;
  resolvingLocalhost = true;
  const original = dns.lookup.bind(dns) as (hostname: string, options: unknown, callback: LookupCallback) => void;
  const lookup = (hostname: string, options: unknown, callback?: LookupCallback): void => {
    const done = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts = typeof options === 'function' ? {} : options;
    if (!/(^|\.)localhost\.?$/i.test(hostname)) {
      original(hostname, opts, done);
      return;
    }
    const all = typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all === true;
    process.nextTick(() => (all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
  };
  (dns as { lookup: unknown }).lookup = lookup;
}

/**
 * Points this process's AWS SDK clients at the emulators through the standard variables
 * (`AWS_ENDPOINT_URL_*`, region, dummy credentials), so code creates clients exactly as on AWS,
 * and resolves `*.localhost` to loopback for fauxqs' queue URLs (see {@link resolveLocalhostNames}).
 *
 * @example
 * ```ts
 * useEmulators({ dynamodb: 'http://127.0.0.1:4567', sqs: 'http://sqs.us-east-1.localhost:4566', sns: 'http://127.0.0.1:4566', s3: 'http://localhost:4566' });
 * ```
 */
export function useEmulators(endpoints: EmulatorEndpoints, env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb;
  env.AWS_ENDPOINT_URL_SQS = endpoints.sqs;
  env.AWS_ENDPOINT_URL_SNS = endpoints.sns;
  env.AWS_ENDPOINT_URL_S3 = endpoints.s3;
  env.AWS_REGION = 'us-east-1';
  env.AWS_ACCESS_KEY_ID = 'local';
  env.AWS_SECRET_ACCESS_KEY = 'local';
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  resolveLocalhostNames();
}
