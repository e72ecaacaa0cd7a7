import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';

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
 * The SDK gives the server a fixed 5 s to accept connections. A JVM starting on a machine whose
 * cores are busy (other test servers, PostgreSQL, a build) can need longer, so a start that timed
 * out is tried again; the launcher exits with the process that started it, so none is left over.
 */
async function startTimeSkippingServer(attempts = 3): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
    } catch (err) {
      if (attempt === attempts || !/did not start within/.test(String(err))) throw err;
      process.stderr.write(`[tests] time-skipping server start ${attempt} of ${attempts} timed out; starting another\n`);
    }
  }
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
