import { spawn } from 'node:child_process';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { keepLastOutput } from '../../scripts/local/last-output';
import { freePort, waitForPort } from '../../scripts/local/ports';

/**
 * The time-skipping test server (the Maven-built Java server when the cache has it), with our
 * search attributes registered: it refuses upserts of unknown ones, failing the workflow task.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await startTimeSkippingServer();
  releaseTheClockOnce(env);
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
  });
  return env;
}

/**
 * The SDK gives the server it launches a fixed 5 s to accept connections (sdk-core, not an option),
 * and a JVM starting on a machine whose cores are busy (other test servers, PostgreSQL, a build) can
 * need longer. So we launch the binary ourselves, as the SDK would (`<binary> <port>`), wait for it
 * with our own bound, and connect the SDK's time-skipping environment to it. The launcher exits with
 * the process that started it (scripts/local/test-server), so a crashed test file leaves none behind.
 * Without a cached binary the SDK downloads and starts its own, with its own limit.
 */
async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const binary = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!binary) return TestWorkflowEnvironment.createTimeSkipping();
  const port = await freePort();
  const server = spawn(binary, [String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const output = keepLastOutput([server.stderr], 2_000);
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
  };
  const diedEarly = exited.then((code) =>
    Promise.reject(new Error(`time-skipping server exited with ${code} before listening: ${output()}`)),
  );
  // Once the server listens, its exit (at teardown) is no failure: nothing may await this then.
  diedEarly.catch(() => undefined);
  try {
    await Promise.race([waitForPort(port, '127.0.0.1', SERVER_START_BOUND_MS), diedEarly]);
    const env = await connectTimeSkipping(`127.0.0.1:${port}`);
    const disconnect = env.teardown.bind(env);
    env.teardown = async () => {
      await disconnect();
      await stop();
    };
    return env;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A JVM's start takes seconds on an idle machine; this bound leaves room for two loaded cores. */
const SERVER_START_BOUND_MS = 90_000;

/**
 * The SDK's time-skipping environment on a server already running. Its public
 * `createFromExistingServer` makes a plain environment (no time-skipping client, `sleep` waits real
 * time); the factory behind both takes the server kind as an option, so we call that one.
 */
function connectTimeSkipping(address: string): Promise<TestWorkflowEnvironment> {
  const factory = TestWorkflowEnvironment as unknown as {
    create(options: { server: { type: 'existing' }; address: string; supportsTimeSkipping: true }): Promise<TestWorkflowEnvironment>;
  };
  return factory.create({ server: { type: 'existing' }, address, supportsTimeSkipping: true });
}

/** The three calls of the server's test service that move its clock lock. */
interface ClockLock {
  unlockTimeSkipping(request: object): Promise<object>;
  lockTimeSkipping(request: object): Promise<object>;
  unlockTimeSkippingWithSleep(request: object): Promise<object>;
}

/**
 * The SDK's time-skipping client releases the server's clock lock before it waits for a result
 * and takes it again after, once per waiting call. The server keeps a single counter for the
 * client and for every task in flight, so two results awaited at once (`Promise.all`) released a
 * lock that belonged to a running task. That task's own release then failed inside the server,
 * which left the run's state locked for good: its next activity or timer hung the test. Here the
 * client holds at most one release, however many results it waits for, and the calls reach the
 * server in the order they were made. A skip while a result is awaited would release it twice.
 */
function releaseTheClockOnce(env: TestWorkflowEnvironment): void {
  const service = env.connection.testService as unknown as ClockLock;
  const unlockTimeSkipping = service.unlockTimeSkipping.bind(service);
  const lockTimeSkipping = service.lockTimeSkipping.bind(service);
  const unlockTimeSkippingWithSleep = service.unlockTimeSkippingWithSleep.bind(service);
  let waiting = 0;
  let calls: Promise<unknown> = Promise.resolve();
  const inOrder = (call: () => Promise<object>): Promise<object> => {
    const next = calls.then(call, call);
    calls = next.catch(() => undefined);
    return next;
  };
  service.unlockTimeSkipping = (request) => {
    waiting += 1;
    return waiting === 1 ? inOrder(() => unlockTimeSkipping(request)) : Promise.resolve({});
  };
  service.lockTimeSkipping = (request) => {
    waiting -= 1;
    return waiting === 0 ? inOrder(() => lockTimeSkipping(request)) : Promise.resolve({});
  };
  service.unlockTimeSkippingWithSleep = (request) => {
    if (waiting > 0)
      return Promise.reject(new Error(`a time skip while ${waiting} result(s) are awaited would release the clock lock twice`));
    return inOrder(() => unlockTimeSkippingWithSleep(request));
  };
}
