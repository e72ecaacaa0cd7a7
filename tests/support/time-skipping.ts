import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';

/**
 * The time-skipping test server (the Maven-built Java server when the cache has it), with our
 * search attributes registered: it refuses upserts of unknown ones, failing the workflow task.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await startTimeSkippingServer();
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
