/**
 * A newcomer's environment for the start command's code: only what a login shell has, no
 * DATABASE_URL, TEMPORAL_ADDRESS, SMTP_HOST or STRIPE_SECRET_KEY, so every piece is the embedded
 * one; nothing of the test run's own settings (NODE_ENV=test, the harness's servers) leaks in.
 */
export function newcomerEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'USER', 'LANG', 'TMPDIR', 'CI'];
  return Object.fromEntries(keep.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
}
