/** Makes sure the Temporal CLI and the time-skipping test server are in the user-level cache. */
import { resolveTemporalCli, resolveTestServer } from './local/tools';

const cli = resolveTemporalCli();
const testServer = resolveTestServer();
process.stdout.write(`Temporal CLI: ${cli ?? 'SDK download'}\nTest server: ${testServer ?? 'SDK download'}\n`);
