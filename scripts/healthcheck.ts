/**
 * The containers' health check (Dockerfile HEALTHCHECK, docker-compose.yml): GET one URL, healthy
 * on a 2xx answer within the timeout. Node's own fetch, because the slim image has no curl or wget.
 *   node dist/scripts/healthcheck.js <url>
 * METRICS_TOKEN, when set, goes along as the bearer token the workers' /metrics asks for (the
 * API's /healthz and /readyz ignore it); it never leaves the container.
 */

export const HEALTHCHECK_TIMEOUT_MS = 3000;

export async function checkHealth(
  url: string,
  options: { token?: string; timeoutMs?: number } = {},
): Promise<{ healthy: boolean; detail: string }> {
  try {
    const response = await fetch(url, {
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? HEALTHCHECK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { healthy: response.ok, detail: `${url} answered ${response.status}` };
  } catch (err) {
    return { healthy: false, detail: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

if (require.main === module) {
  const url = process.argv[2];
  if (!url) {
    process.stderr.write('usage: node dist/scripts/healthcheck.js <url>\n');
    process.exit(2);
  }
  void checkHealth(url, { token: process.env.METRICS_TOKEN }).then(({ healthy, detail }) => {
    // Docker keeps the last lines a check printed: `docker inspect` shows why a container is unhealthy.
    process.stdout.write(`${detail}\n`);
    process.exit(healthy ? 0 : 1);
  });
}
