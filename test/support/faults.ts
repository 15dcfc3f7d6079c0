// Fault injection in the AWS SDK v3 middleware stack, for failures the emulators cannot produce on
// demand (throttling, 5xx, a rejected subject). The request never reaches the emulator.
type Decide = (command: string, input: Record<string, unknown>) => Error | undefined;
type Handler = (args: { input: object }) => Promise<unknown>;
interface Stack {
  add(middleware: (next: Handler, context: { commandName?: string }) => Handler, options: { step: 'initialize'; name: string }): void;
}

/** Makes `client` throw the error `decide` returns, before the request is sent (and before SDK retries). */
export function injectFaults<C extends { middlewareStack: Stack }>(client: C, decide: Decide): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const error = decide(String(context.commandName), args.input as Record<string, unknown>);
      if (error) throw error;
      return next(args);
    },
    { step: 'initialize', name: 'testFaultInjection' },
  );
  return client;
}

/** An error shaped like the SDK's service exceptions (name and HTTP metadata). */
export function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(`injected ${name}`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}
