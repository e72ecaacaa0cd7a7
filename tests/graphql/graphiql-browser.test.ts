/**
 * GraphiQL in headless Chromium against the real API: the page loads from the API alone (every
 * request to its own origin, nothing refused by the Content-Security-Policy), a bearer token typed
 * into the Headers editor and a query typed into the editor are answered with the caller's data.
 * Needs a Chromium binary (Debian package `chromium`, or CHROMIUM_PATH); without one the test is
 * skipped and says so, or fails in CI (tests/support/required-tool.ts).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { User } from '../../src/models';
import { bearer, buildTenant, buildUser } from '../support/factories';
import { chromiumTool } from '../support/chromium';
import { describeNeeding } from '../support/required-tool';
import { startTestStack, TestStack } from '../support/stack';

const browserInstall = chromiumTool();
const chromium = browserInstall.path;

describeNeeding(browserInstall, 'GraphiQL in headless Chromium', () => {
  let stack: TestStack;
  let server: Server;
  let browser: Browser | undefined;
  let user: User;

  beforeAll(async () => {
    if (!chromium) return;
    stack = await startTestStack();
    user = await buildUser({ tenantId: (await buildTenant()).id, role: 'claims_manager', fullName: 'Grace Browser' });
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server.close(resolve));
    await stack?.close();
  });

  /** Replaces the text of the CodeMirror editor under `selector` with `text`, typed as a person would paste it. */
  async function typeInto(page: import('puppeteer-core').Page, selector: string, text: string) {
    await page.click(`${selector} .CodeMirror`);
    await page.keyboard.down('Control');
    await page.keyboard.press('a');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    // Characters sent as text input, so the editor's auto-closed brackets do not double them.
    for (const char of text) await page.keyboard.sendCharacter(char);
  }

  it('loads from the API alone and answers a typed query with the bearer token typed into the Headers editor', async () => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = await browser!.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('request', (request) => requests.push(request.url()));
    page.on('response', (answer) => {
      if (answer.status() >= 400) problems.push(`${answer.status()} ${answer.url()}`);
    });

    const response = await page.goto(`${origin}/api/graphiql`, { waitUntil: 'networkidle0' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');

    await typeInto(
      page,
      '.graphiql-editor-tool .graphiql-editor:not(.hidden)',
      JSON.stringify({ Authorization: bearer(stack.config, user) }),
    );
    await typeInto(page, '.graphiql-query-editor', '{ viewer { fullName role } }');
    await page.click('.graphiql-execute-button');

    // Runs in the page: the response pane's text once it holds the answer.
    const answer = await page.waitForFunction(
      `(() => { const text = document.querySelector('.graphiql-response .CodeMirror-code')?.textContent ?? ''; return text.includes('viewer') ? text : false; })()`,
      { timeout: 20_000 },
    );
    const text = String(await answer.jsonValue());
    expect(text).toContain('"fullName": "Grace Browser"');
    expect(text).toContain('"role": "claims_manager"');
    // Everything came from the API's own origin (offline), and nothing was refused or failed.
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'))).toEqual([]);
    expect(problems).toEqual([]);
  });
});
