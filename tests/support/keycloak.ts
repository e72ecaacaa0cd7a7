/**
 * A real Keycloak (the OpenID provider of the company sign-in tests, docs/testing.md): started
 * once per test file in development mode on free loopback ports with a realm imported from
 * tests/fixtures/keycloak, stopped by its process group. Also drives its login form without a
 * browser and changes its users through its admin REST API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KEYCLOAK_BUILD_OPTIONS, KEYCLOAK_JAVA_ENV, resolveKeycloak } from '../../scripts/local/keycloak';
import { freePort } from '../../scripts/local/ports';
import type { RequiredTool } from './required-tool';
import { waitUntil } from './waiting';

/** Measured at 47–71 s on a loaded 2-core machine (load average 10–15); 2.5 times the slowest. */
export const KEYCLOAK_START_DEADLINE_MS = 180_000;
/** For jest's beforeAll: the start's deadline and a little more. */
export const KEYCLOAK_START_TIMEOUT_MS = KEYCLOAK_START_DEADLINE_MS + 30_000;

const ADMIN = { username: 'insurflow-admin', password: 'insurflow-admin-password' };
const REALM_FIXTURE = path.join(__dirname, '..', 'fixtures', 'keycloak', 'insurflow-realm.json');

export interface RunningKeycloak {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The issuer URL of the imported realm. */
  issuer: string;
  realm: string;
  stop(): Promise<void>;
  /** Puts the user (by username) in exactly these groups. */
  setGroups(username: string, groups: string[]): Promise<void>;
  setEnabled(username: string, enabled: boolean): Promise<void>;
  /** Gives the user another (verified) address, as a directory change would. */
  setEmail(username: string, email: string): Promise<void>;
  /** Adds a user to the realm (enabled, with a password that is not temporary), in `groups`. */
  createUser(user: KeycloakUser): Promise<void>;
}

export interface KeycloakUser {
  username: string;
  password: string;
  email: string;
  /** Whether Keycloak counts the address as verified: its ID tokens say so in `email_verified`. */
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  groups: string[];
}

/** Keycloak's home as the company sign-in tests need it; no path without Java or Maven to fetch it (skipped locally, a failure in CI). */
export function keycloakTool(): RequiredTool {
  return {
    name: 'Keycloak',
    path: resolveKeycloak(),
    install: 'bash scripts/setup.sh fetches it from Maven Central into ~/.cache/insurflow (needs Java 17 and Maven), or set KEYCLOAK_HOME',
  };
}

export async function startKeycloak(home: string): Promise<RunningKeycloak> {
  const realmJson = JSON.parse(fs.readFileSync(REALM_FIXTURE, 'utf8')) as { realm: string };
  // --import-realm reads the distribution's data/import; written whole, then renamed, so a start never sees half a file.
  const importDir = path.join(home, 'data', 'import');
  fs.mkdirSync(importDir, { recursive: true });
  const staged = path.join(importDir, `.insurflow-realm.${process.pid}`);
  fs.writeFileSync(staged, JSON.stringify(realmJson));
  fs.renameSync(staged, path.join(importDir, 'insurflow-realm.json'));

  const [httpPort, managementPort] = [await freePort(), await freePort()];
  const logFile = path.join(home, `test-${process.pid}.log`);
  const out = fs.openSync(logFile, 'w');
  const server = spawn(
    path.join(home, 'bin', 'kc.sh'),
    [
      'start-dev',
      ...KEYCLOAK_BUILD_OPTIONS,
      '--http-host=127.0.0.1',
      `--http-port=${httpPort}`,
      `--http-management-port=${managementPort}`,
      '--import-realm',
    ],
    {
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        ...KEYCLOAK_JAVA_ENV,
        KC_BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      },
    },
  );
  fs.closeSync(out);
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    await stopGroup(server);
    fs.rmSync(logFile, { force: true });
  };
  try {
    await waitUntil(
      async () => {
        if (server.exitCode !== null) throw new Error(`Keycloak exited with ${server.exitCode}; see ${logFile}`);
        return (await fetch(`http://127.0.0.1:${managementPort}/health/ready`).catch(() => undefined))?.ok === true;
      },
      `Keycloak ready on ${url} (log: ${logFile})`,
      KEYCLOAK_START_DEADLINE_MS,
    );
  } catch (err) {
    // The log stays, for the failure's message to point at.
    await stopGroup(server);
    throw err;
  }
  const realm = realmJson.realm;
  const admin = adminApi(url, realm);
  return {
    url,
    realm,
    issuer: `${url}/realms/${realm}`,
    stop,
    setGroups: admin.setGroups,
    setEnabled: admin.setEnabled,
    setEmail: admin.setEmail,
    createUser: admin.createUser,
  };
}

/** SIGTERM to the server's process group (kc.sh and the JVM it runs), SIGKILL if it is still there after 20 s. */
async function stopGroup(server: ChildProcess): Promise<void> {
  if (server.pid === undefined || server.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  process.kill(-server.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (server.exitCode === null) process.kill(-server.pid!, 'SIGKILL');
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

function adminApi(url: string, realm: string) {
  async function token(): Promise<string> {
    const res = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: 'admin-cli', ...ADMIN }),
    });
    if (!res.ok) throw new Error(`Keycloak admin token: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  async function call(method: string, route: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${url}/admin/realms/${realm}${route}`, {
      method,
      headers: { Authorization: `Bearer ${await token()}`, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Keycloak admin ${method} ${route}: ${res.status} ${await res.text()}`);
    // 204, and 201 (a created user) with its address in Location, have no body.
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
  async function userId(username: string): Promise<string> {
    const [user] = (await call('GET', `/users?exact=true&username=${encodeURIComponent(username)}`)) as { id: string }[];
    if (!user) throw new Error(`no Keycloak user ${username}`);
    return user.id;
  }
  return {
    async setGroups(username: string, groups: string[]) {
      const id = await userId(username);
      const all = (await call('GET', '/groups')) as { id: string; name: string }[];
      const current = (await call('GET', `/users/${id}/groups`)) as { id: string; name: string }[];
      for (const group of current) await call('DELETE', `/users/${id}/groups/${group.id}`);
      for (const name of groups) {
        const group = all.find((g) => g.name === name);
        if (!group) throw new Error(`no Keycloak group ${name}`);
        await call('PUT', `/users/${id}/groups/${group.id}`);
      }
    },
    async setEnabled(username: string, enabled: boolean) {
      await call('PUT', `/users/${await userId(username)}`, { enabled });
    },
    async setEmail(username: string, email: string) {
      await call('PUT', `/users/${await userId(username)}`, { email, emailVerified: true });
    },
    async createUser({ password, groups, ...user }: KeycloakUser) {
      await call('POST', '/users', {
        ...user,
        enabled: true,
        credentials: [{ type: 'password', value: password, temporary: false }],
        groups: groups.map((name) => `/${name}`),
      });
    },
  };
}

/** What Keycloak answered to a login: the redirect to the client (its URL), or the page (HTML) it showed instead. */
export type LoginOutcome = { redirectedTo: URL } | { refusedWith: string };

/**
 * Signs in at Keycloak the way a browser would, without one: opens the authorization URL, posts
 * the login form with the session cookies, and answers where Keycloak redirects to (the client's
 * callback with `code` and `state`), or the text of the page it shows instead (a refusal).
 */
export async function signInAtKeycloak(authorizationUrl: string, username: string, password: string): Promise<LoginOutcome> {
  const cookies = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  remember(page);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`Keycloak's authorization endpoint answered ${page.status}: ${html.slice(0, 300)}`);
  const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form on Keycloak's page: ${html.slice(0, 300)}`);
  const posted = await fetch(action.replace(/&amp;/g, '&'), {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookieHeader(), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password, credentialId: '' }),
  });
  const location = posted.headers.get('location');
  if (posted.status === 302 && location) return { redirectedTo: new URL(location) };
  return { refusedWith: await posted.text() };
}
