// A minimal SSM endpoint on 127.0.0.1 for GetParameter (JSON 1.1 protocol, as the AWS SDK speaks
// it): the emulators have no SSM, and the admin key is read through the real SDK client.
import { createServer } from 'node:http';

/** A parameter's value, and its type when not a SecureString. */
export type FakeParameter =
  string | { readonly value: string; readonly type: 'String' | 'StringList' | 'SecureString' };

/** `parameters` may be changed while the fake runs (a rotated key). */
export async function startFakeSsm(
  parameters: Record<string, FakeParameter>,
): Promise<{ endpoint: string; calls: string[]; parameters: Record<string, FakeParameter>; stop(): Promise<void> }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(body || '{}') as { Name?: string; WithDecryption?: boolean };
      calls.push(`${target} ${input.Name} ${input.WithDecryption}`);
      const parameter = input.Name === undefined ? undefined : parameters[input.Name];
      const value = typeof parameter === 'string' ? parameter : parameter?.value;
      const type = typeof parameter === 'string' ? 'SecureString' : parameter?.type;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (target !== 'AmazonSSM.GetParameter' || value === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: 'not found' }));
        return;
      }
      res.end(JSON.stringify({ Parameter: { Name: input.Name, Type: type, Value: value, Version: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    calls,
    parameters,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
