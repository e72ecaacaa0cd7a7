import { TestWorkflowEnvironment } from '@temporalio/testing';

/** The time-skipping test server (the Maven-built Java server when the cache has it). */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  return TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
}
