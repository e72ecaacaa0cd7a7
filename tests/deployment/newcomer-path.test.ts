/**
 * A newcomer's path on the stack as the start command configures it (README, Try it). The stack is
 * built by the start command's own code (scripts/start.ts: `buildStackEnvironment` from a
 * newcomer's shell environment, `migrateAndSeed`, the worker and the API of `STACK_PROCESSES` as
 * built) on its own pieces: embedded PostgreSQL, the Temporal dev server, the MailDev mail sink and
 * stripe-mock. Then the demo users walk it: the tenant admin subscribes a webhook receiver on
 * loopback, the policyholder subscribes, pays the first invoice by card (the PaymentIntent at
 * stripe-mock, then the signed `payment_intent.succeeded` that `npm run simulate-payment` posts),
 * files a claim, and the events and the e-mails arrive. Then the walkthrough of a policy change
 * (docs/subscriptions.md, Walkthrough, Change a policy): a policy of the plan with the least cover,
 * its first premium recorded by staff, a change to the plan of its category with the most cover
 * quoted and applied, the policy read as of its first day before and after, the additional premium
 * paid by card, version 2's schedule PDF read with pdftotext. Then the walkthrough of quotes (docs/quotes.md,
 * Try it): rating tables saved for a plan, a quote with its breakdown, one referred and accepted by the seeded
 * underwriter with a loading, bound into a policy at that premium, its schedule listing the breakdown. Then the
 * README's ten-line tour, its commands run by bash with curl and jq exactly as written. Whatever
 * the start command sets (the Stripe key, the webhook guard, the mail relay…) is tested as set, not as the other
 * tests set it.
 *
 * It runs the build (dist/), as the start command does: `npm run build` first when run alone.
 */
import { execFile, fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { DEMO_PASSWORD, demoEmail } from '../../scripts/local/demo-seed';
import { keepLastOutput } from '../../scripts/local/last-output';
import { stopChild } from '../../scripts/local/processes';
import { STACK_PROCESSES, type StackEnvironment } from '../../scripts/start';
import { formatMinorUnits, toMinorUnits } from '../../src/shared/money';
import { newcomerEnv } from '../support/newcomer-env';
import { pdfText, popplerTool } from '../support/poppler';
import { curlAndJqTool, itNeeding } from '../support/required-tool';
import { utcDayLasting } from '../support/utc-days';
import { eventually, waitUntil, within, WAIT_BOUND_MS } from '../support/waiting';
import { call, expectStatus, type Answer } from '../topology/api-client';
import { startReceiver } from '../webhooks/receiver';

const SIMULATE_PAYMENT = path.join(__dirname, '../../dist/scripts/simulate-payment.js');
/** Runs the start command's `buildStackEnvironment` and `migrateAndSeed` outside jest's sandbox (it says why). */
const STACK_HOST = path.join(__dirname, '../support/start-command-stack.cjs');
/** The first start of every piece (initdb, the dev server's database, two Node processes) on a busy 2-core machine. */
const READY_WITHIN_MS = 3 * 60_000;

interface RunningProcess {
  name: string;
  child: ChildProcess;
  output(): string;
}

/** An invoice as the API lists it, with what its card payment needs. */
interface Invoice {
  id: string;
  tenantId: string;
  amountMinor: number;
  currency: string;
  sequence: number;
  amount: string;
  status: string;
}

/** A plan as the catalog lists it. */
interface Plan {
  id: string;
  name: string;
  categoryId: string;
  durationMonths: number;
  coverageAmount: string;
  premium: string;
}

/** A mail as MailDev's REST API lists it (`GET /email`). */
interface MailboxMail {
  subject: string;
  to: Array<{ address: string }>;
}

describe('a newcomer on the stack the start command configures', () => {
  let host: ChildProcess | undefined;
  let dataDir: string;
  let stack: StackEnvironment;
  let processes: RunningProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let api: string;
  let holder: string;
  let admin: string;
  let secret: string;
  let plan: Plan;
  let subscription: { id: string };
  let invoice: Invoice;
  let claim: { id: string };

  /**
   * The answer's body when it has `status`; otherwise a failure with the API's and the worker's last output, which says why.
   * `T` names the fields a step goes on to read (the body is JSON, unchecked).
   */
  function answered<T = Answer['body']>(answer: Answer, status: number, what: string): T {
    try {
      return expectStatus(answer, status, what) as T;
    } catch (err) {
      const logs = processes.map((p) => `--- the ${p.name}'s last output:\n${p.output()}`).join('\n');
      throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
    }
  }

  async function login(role: 'policyholder' | 'tenant_admin' | 'underwriter'): Promise<string> {
    const body = answered(await call(api, 'POST', '/auth/login', { body: { email: demoEmail(role), password: DEMO_PASSWORD } }), 200, role);
    return body.tokens.accessToken as string;
  }

  /**
   * Pays an invoice as its holder does on this stack: the PaymentIntent at stripe-mock, then
   * `npm run simulate-payment -- <invoiceId> --intent <pi_…> --tenant <tenantId> --amount <minor units>`
   * posts the signed `payment_intent.succeeded` with the webhook secret the start command made.
   */
  async function payByCard(unpaid: Invoice): Promise<void> {
    const intent = answered(
      await call(api, 'POST', `/invoices/${unpaid.id}/payment-intent`, { token: holder }),
      200,
      `the card payment of ${unpaid.id} (stripe-mock with the key the start command passes)`,
    );
    expect(intent).toMatchObject({ invoiceId: unpaid.id, provider: 'stripe', paymentIntentId: expect.stringMatching(/^pi_/) });
    expect(intent.clientSecret).toEqual(expect.any(String));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        SIMULATE_PAYMENT,
        unpaid.id,
        '--intent',
        intent.paymentIntentId,
        '--tenant',
        unpaid.tenantId,
        '--amount',
        String(unpaid.amountMinor),
        '--currency',
        unpaid.currency,
        '--api',
        api,
      ],
      { env: { ...newcomerEnv(), STRIPE_WEBHOOK_SECRET: stack.env.STRIPE_WEBHOOK_SECRET } },
    );
    expect(stdout).toMatch(/^200 /);
    const paid = await eventually(
      async () => answered(await call(api, 'GET', `/invoices/${unpaid.id}`, { token: holder }), 200, 'the invoice'),
      (body) => body.status === 'paid',
      `the invoice ${unpaid.id} paid`,
    );
    expect(paid.payments).toEqual([expect.objectContaining({ method: 'card', provider: 'stripe', amountMinor: unpaid.amountMinor })]);
  }

  beforeAll(async () => {
    // Readable by others: as root, PostgreSQL runs as the `postgres` user, which must reach its data here.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'insurflow-newcomer-'));
    fs.chmodSync(dataDir, 0o755);
    receiver = await startReceiver([200]);
    host = fork(STACK_HOST, [dataDir], { env: newcomerEnv(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const hostOutput = keepLastOutput([host.stdout, host.stderr], 20_000);
    stack = await within(
      new Promise<StackEnvironment>((resolve, reject) => {
        host!.once('message', (message) => resolve(message as StackEnvironment));
        host!.once('exit', (code) => reject(new Error(`the start command's pieces stopped with ${code}:\n${hostOutput()}`)));
      }),
      () => `the start command's pieces and the demo seed; their output so far:\n${hostOutput()}`,
      READY_WITHIN_MS,
    );
    processes = STACK_PROCESSES.map(({ name, script, nodeFlags }) => {
      const child = spawn(process.execPath, [...nodeFlags, script], { env: stack.env, stdio: ['ignore', 'pipe', 'pipe'] });
      return { name, child, output: keepLastOutput([child.stdout, child.stderr]) };
    });
    api = `http://127.0.0.1:${stack.env.API_PORT}`;
    await waitUntil(
      async () => {
        const exited = processes.find((p) => p.child.exitCode !== null);
        if (exited) throw new Error(`the ${exited.name} exited with ${exited.child.exitCode}:\n${exited.output()}`);
        return fetch(`${api}/readyz`).then(
          (answer) => answer.ok,
          () => false,
        );
      },
      "the API started with the start command's environment to be ready",
      READY_WITHIN_MS,
    );
    [holder, admin] = [await login('policyholder'), await login('tenant_admin')];
  }, 2 * READY_WITHIN_MS);

  afterAll(async () => {
    await Promise.all(processes.map((p) => stopChild(p.child)));
    // It stops PostgreSQL, the Temporal dev server, MailDev and stripe-mock, then exits.
    if (host) await stopChild(host, 60_000);
    await receiver?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('subscribes a webhook receiver on loopback to every event', async () => {
    const body = answered(
      await call(api, 'POST', '/webhooks/endpoints', {
        token: admin,
        body: { url: receiver.url, eventTypes: ['*'], description: 'my laptop' },
      }),
      201,
      'a webhook endpoint on 127.0.0.1',
    );
    secret = body.secret;
    expect(secret).toMatch(/^whsec_/);
  });

  it('subscribes the demo policyholder to the plan with the highest coverage; its run bills the first premium', async () => {
    [plan] = answered(await call(api, 'GET', '/plans?ordering=-coverageAmount', { token: holder }), 200, 'the plans').items;
    subscription = answered(
      await call(api, 'POST', '/subscriptions', { token: holder, body: { planId: plan.id } }),
      202,
      'a subscription',
    ) as {
      id: string;
    };
    const invoices = await eventually(
      async () =>
        answered(await call(api, 'GET', `/subscriptions/${subscription.id}/invoices`, { token: holder }), 200, 'the invoices').items,
      (items) => items.length > 0,
      'the first premium invoice',
      WAIT_BOUND_MS,
    );
    invoice = invoices[0];
    expect(invoice).toMatchObject({ status: 'open', tenantId: expect.any(String), amountMinor: expect.any(Number) });
    // The holder pays once asked: a payment recorded before the run reads what is due leaves it nothing to ask for.
    const asked = `Your ${plan.name} subscription awaits its first premium`;
    await eventually(
      async () => (await (await fetch(`${stack.mailbox}/email`)).json()) as MailboxMail[],
      (all) => all.some((mail) => mail.subject === asked),
      `the mail "${asked}" in ${stack.mailbox}`,
      WAIT_BOUND_MS,
    );
  });

  it('pays the first invoice by card: a PaymentIntent at stripe-mock, then simulate-payment posts the signed payment_intent.succeeded', async () => {
    await payByCard(invoice);
    await eventually(
      async () => answered(await call(api, 'GET', `/subscriptions/${subscription.id}`, { token: holder }), 200, 'the subscription'),
      (body) => body.status === 'active',
      'the policy active once its first premium is paid',
      WAIT_BOUND_MS,
    );
  });

  it('files a claim on the active policy', async () => {
    const { startDate } = answered(await call(api, 'GET', `/subscriptions/${subscription.id}`, { token: holder }), 200, 'the subscription');
    claim = answered(
      await call(api, 'POST', '/claims', {
        token: holder,
        body: { subscriptionId: subscription.id, incidentDate: startDate, amountClaimed: 4000, description: 'Burst pipe' },
      }),
      201,
      'a claim',
    ) as { id: string };
    expect(claim).toMatchObject({ status: 'reported', subscriptionId: subscription.id });
  });

  it('delivers the payment, the activation and the filed claim to the receiver, signed with the endpoint secret', async () => {
    /** Each delivery the endpoint's secret verifies, as `<type> <subject>` (and ` to <status>` for a change of status). */
    const verifiedDeliveries = () =>
      receiver.received.map((message) => {
        const event = new Webhook(secret).verify(message.body, message.headers) as { type: string; subject: string; data: { to?: string } };
        return `${event.type} ${event.subject}${event.data.to ? ` to ${event.data.to}` : ''}`;
      });
    const wanted = [
      `com.insurflow.invoice.paid invoices/${invoice.id}`,
      `com.insurflow.subscription.status_changed subscriptions/${subscription.id} to active`,
      `com.insurflow.claim.filed claims/${claim.id}`,
    ];
    const delivered = await eventually(
      async () => verifiedDeliveries(),
      (events) => wanted.every((event) => events.includes(event)),
      `the deliveries ${wanted.join(', ')}`,
      WAIT_BOUND_MS,
    );
    expect(delivered).toEqual(expect.arrayContaining(wanted));
  });

  it("puts the policyholder's e-mails in the start command's mailbox: the first premium asked for, then the policy active", async () => {
    const subjects = [`Your ${plan.name} subscription awaits its first premium`, `Your ${plan.name} subscription is active`];
    const mails = await eventually(
      async () => (await (await fetch(`${stack.mailbox}/email`)).json()) as MailboxMail[],
      (all) => subjects.every((subject) => all.some((mail) => mail.subject === subject)),
      `the mails "${subjects.join('", "')}" in ${stack.mailbox}`,
      WAIT_BOUND_MS,
    );
    for (const subject of subjects) {
      expect(mails.filter((mail) => mail.subject === subject).map((mail) => mail.to.map((to) => to.address))).toEqual([
        [demoEmail('policyholder')],
      ]);
    }
  });

  // docs/subscriptions.md, Walkthrough "Change a policy": the same steps as curl commands.
  describe('a policy change: another plan of the same category with more cover', () => {
    let before: Plan;
    let after: Plan;
    let policy: { id: string; policyNumber: string; startDate: string; currency: string };
    let change: { id: string; premiumDelta: string };

    it("subscribes to the plan with the least cover and has staff record the first premium's bank transfer", async () => {
      const plans: Plan[] = answered(await call(api, 'GET', '/plans?ordering=coverageAmount', { token: holder }), 200, 'the plans').items;
      before = plans[0];
      after = plans.filter((p) => p.categoryId === before.categoryId && p.durationMonths === before.durationMonths).at(-1)!;
      expect(Number(after.coverageAmount)).toBeGreaterThan(Number(before.coverageAmount));
      const { id } = answered(
        await call(api, 'POST', '/subscriptions', { token: holder, body: { planId: before.id } }),
        202,
        'a subscription',
      );
      const [first] = await eventually(
        async () =>
          answered(await call(api, 'GET', `/subscriptions/${id}/invoices`, { token: holder }), 200, 'the invoices').items as Invoice[],
        (items) => items.length > 0,
        'the first premium invoice',
        WAIT_BOUND_MS,
      );
      const recorded = answered(
        await call(api, 'POST', `/invoices/${first.id}/payments`, {
          token: admin,
          body: { amount: first.amount, method: 'bank_transfer', reference: 'SEPA 0042' },
        }),
        201,
        'the bank transfer recorded by the tenant admin',
      );
      expect(recorded.invoice.status).toBe('paid');
      policy = await eventually(
        async () =>
          answered<typeof policy & { status: string }>(
            await call(api, 'GET', `/subscriptions/${id}`, { token: holder }),
            200,
            'the subscription',
          ),
        (body) => body.status === 'active',
        'the policy active once its first premium is recorded',
        WAIT_BOUND_MS,
      );
    });

    it('quotes the change effective from the first day: 201, the whole difference of the premiums to pay, version 1 still in force', async () => {
      change = answered<typeof change>(
        await call(api, 'POST', `/subscriptions/${policy.id}/changes`, {
          token: holder,
          body: { effectiveDate: policy.startDate, planId: after.id },
        }),
        201,
        'the quoted change',
      );
      // Effective from the term's first day, the rest of the term is all of it.
      const delta = toMinorUnits(after.premium, policy.currency)! - toMinorUnits(before.premium, policy.currency)!;
      expect(change).toMatchObject({
        status: 'quoted',
        effectiveDate: policy.startDate,
        premiumBefore: before.premium,
        premiumAfter: after.premium,
        premiumDelta: formatMinorUnits(delta, policy.currency),
        currency: policy.currency,
        instalments: [{ dueDate: policy.startDate, amount: formatMinorUnits(delta, policy.currency) }],
      });
      expect(await termsAsOf(policy.startDate)).toEqual({ planId: before.id, coverageAmount: before.coverageAmount, version: 1 });
    });

    it('applies it: the run answers it applied, version 2 is in force from that day and the policy has its cover', async () => {
      const applied = answered(
        await call(api, 'POST', `/subscriptions/${policy.id}/changes/${change.id}/apply`, { token: holder }),
        200,
        'the change confirmed',
      );
      expect(applied).toMatchObject({ id: change.id, status: 'applied' });
      expect(await termsAsOf(policy.startDate)).toEqual({ planId: after.id, coverageAmount: after.coverageAmount, version: 2 });
      const dayBefore = new Date(Date.parse(policy.startDate) - 86_400_000).toISOString().slice(0, 10);
      expect((await call(api, 'GET', `/subscriptions/${policy.id}?asOf=${dayBefore}`, { token: holder })).status).toBe(404);
      const versions = answered(await call(api, 'GET', `/subscriptions/${policy.id}/versions`, { token: holder }), 200, 'the versions');
      expect(
        versions.items.map(({ number, coverageAmount, changeId }: Record<string, unknown>) => ({ number, coverageAmount, changeId })),
      ).toEqual([
        { number: 1, coverageAmount: before.coverageAmount, changeId: null },
        { number: 2, coverageAmount: after.coverageAmount, changeId: change.id },
      ]);
    });

    it('bills the additional premium as an invoice of its own, which the holder pays by card', async () => {
      const invoices = answered(await call(api, 'GET', `/subscriptions/${policy.id}/invoices`, { token: holder }), 200, 'the invoices')
        .items as Invoice[];
      const additional = invoices.find((unpaid) => unpaid.sequence > 1);
      expect(additional).toMatchObject({ status: 'open', amount: change.premiumDelta });
      await payByCard(additional!);
    });

    itNeeding(popplerTool(), "lists a schedule per version; version 2's PDF names the new plan and its sum insured", async () => {
      // The run stores each version's schedule in a step of its own; the list shows what is stored.
      const documents = await eventually(
        async () => answered(await call(api, 'GET', `/subscriptions/${policy.id}/documents`, { token: holder }), 200, 'the documents'),
        (body) => body.items.length === 2,
        "version 2's schedule, stored by the policy's run",
        WAIT_BOUND_MS,
      );
      expect(documents.items.map(({ versionNumber, contentType }: Record<string, unknown>) => ({ versionNumber, contentType }))).toEqual([
        { versionNumber: 1, contentType: 'application/pdf' },
        { versionNumber: 2, contentType: 'application/pdf' },
      ]);
      const second = documents.items.find((document: { versionNumber: number }) => document.versionNumber === 2);
      const download = await fetch(`${api}/api/v1/subscriptions/${policy.id}/documents/${second.id}`, {
        headers: { authorization: `Bearer ${holder}` },
      });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toContain(`${policy.policyNumber}-v2-schedule`);
      const text = await pdfText(Buffer.from(await download.arrayBuffer()));
      // The demo holder reads English, so amounts as en-US writes them: $400,000.00.
      const money = (amount: string) =>
        new Intl.NumberFormat('en-US', { style: 'currency', currency: policy.currency }).format(Number(amount));
      expect(text).toContain(`Version 2`);
      expect(text).toContain(`Plan: ${after.name}`);
      expect(text).toContain(`Sum insured: ${money(after.coverageAmount)}`);
      expect(text).toContain(`Additional premium for the rest of the period: ${money(change.premiumDelta)}`);
    });

    it('mails the holder the change', async () => {
      const subject = `Your ${after.name} subscription has changed`;
      const mails = await eventually(
        async () => (await (await fetch(`${stack.mailbox}/email`)).json()) as MailboxMail[],
        (all) => all.some((mail) => mail.subject === subject),
        `the mail "${subject}" in ${stack.mailbox}`,
        WAIT_BOUND_MS,
      );
      expect(mails.filter((mail) => mail.subject === subject).map((mail) => mail.to.map((to) => to.address))).toEqual([
        [demoEmail('policyholder')],
      ]);
    });

    /** The policy's terms in force on `day` (GET /subscriptions/:id?asOf=) and the version that gives them. */
    async function termsAsOf(day: string) {
      const body = answered(
        await call(api, 'GET', `/subscriptions/${policy.id}?asOf=${day}`, { token: holder }),
        200,
        `the policy as of ${day}`,
      );
      return { planId: body.planId, coverageAmount: body.coverageAmount, version: body.version.number };
    }
  });

  // docs/quotes.md, Try it: the same steps as curl commands.
  describe('a quote priced by the risk: referred, accepted with a loading, bound into a policy', () => {
    /** A detached house in zone Z2 (postcode 75…), 36 years old, deductible 500.00, glass breakage: 490.81 at 300,000.00. */
    const risk = (sumInsured: string) => ({
      propertyCategory: 'detached_house',
      sumInsured,
      deductible: '500.00',
      postcode: '75011',
      yearBuilt: new Date().getUTCFullYear() - 36,
      options: ['glass'],
    });
    let plan: Plan;
    let quote: { id: string; premium: string; breakdown: Array<{ step: string; label: string; factor?: string; amount: string }> };

    it("saves the plan's rating tables as the tenant admin: version 1 from today", async () => {
      const plans: Plan[] = answered(await call(api, 'GET', '/plans', { token: admin }), 200, 'the plans').items;
      plan = plans.find((p) => p.name === 'House Standard')!;
      // A version starts no earlier than the API's today: the same day when the API saves it.
      const today = await utcDayLasting();
      const version = answered(
        await call(api, 'PUT', `/plans/${plan.id}/rating`, { token: admin, body: { effectiveFrom: today, tables: TABLES } }),
        201,
        'the rating tables saved',
      );
      expect(version).toMatchObject({ planId: plan.id, number: 1, effectiveFrom: today });
    });

    it("prices a holder's quote step by step; a sum insured above the referral limit is referred", async () => {
      const quoted = answered<typeof quote & Record<string, unknown>>(
        await call(api, 'POST', '/quotes', { token: holder, body: { planId: plan.id, risk: risk('300000.00') } }),
        201,
        'a quote',
      );
      expect(quoted).toMatchObject({ status: 'quoted', premium: '490.81', ratingVersion: { number: 1 }, referralReasons: [] });
      expect(quoted.breakdown.map((line) => [line.step, line.amount])).toEqual([
        ['base', '360.00'],
        ['category', '36.00'],
        ['buildingAge', '0.00'],
        ['zone', '39.60'],
        ['deductible', '-21.78'],
        ['option', '25.00'],
        ['tax', '39.49'],
        ['fee', '12.50'],
      ]);
      quote = answered(
        await call(api, 'POST', '/quotes', { token: holder, body: { planId: plan.id, risk: risk('900000.00') } }),
        201,
        'a quote above the referral limit',
      );
      expect(quote).toMatchObject({
        status: 'referred',
        premium: '1392.94',
        referralReasons: ['Sum insured 900000.00 is above 750000.00'],
      });
      expect((await call(api, 'POST', '/subscriptions', { token: holder, body: { quoteId: quote.id } })).status).toBe(409);
    });

    it('has the seeded underwriter accept it with a loading of 0.15: quoted at the loaded premium', async () => {
      const underwriter = await login('underwriter');
      // The referral's run takes the decision once its start has left the outbox.
      const accepted = await eventually(
        () => call(api, 'POST', `/quotes/${quote.id}/accept`, { token: underwriter, body: { loading: '0.15', note: 'Large sum insured' } }),
        (answer) => answer.status !== 503,
        "the referral's run to take the underwriter's decision",
        WAIT_BOUND_MS,
      );
      quote = answered(accepted, 200, 'the referral accepted');
      expect(quote).toMatchObject({ status: 'quoted', premium: '1600.01' });
      expect(quote.breakdown).toContainEqual(expect.objectContaining({ step: 'loading', factor: '1.15', amount: '189.97' }));
    });

    itNeeding(
      popplerTool(),
      'binds it: the policy carries the quoted premium and sum insured, its schedule lists the breakdown',
      async () => {
        const { id } = answered(
          await call(api, 'POST', '/subscriptions', { token: holder, body: { quoteId: quote.id } }),
          202,
          'the quote bound',
        );
        const [first] = await eventually(
          async () =>
            answered(await call(api, 'GET', `/subscriptions/${id}/invoices`, { token: holder }), 200, 'the invoices').items as Invoice[],
          (items) => items.length > 0,
          'the first premium invoice',
          WAIT_BOUND_MS,
        );
        expect(first.amount).toBe('1600.01');
        answered(
          await call(api, 'POST', `/invoices/${first.id}/payments`, {
            token: admin,
            body: { amount: first.amount, method: 'bank_transfer', reference: 'SEPA 0077' },
          }),
          201,
          'the bank transfer recorded by the tenant admin',
        );
        const policy = await eventually(
          async () => answered(await call(api, 'GET', `/subscriptions/${id}`, { token: holder }), 200, 'the policy'),
          (body) => body.status === 'active',
          'the policy active once its first premium is recorded',
          WAIT_BOUND_MS,
        );
        expect(policy).toMatchObject({ planId: plan.id, premium: '1600.01', coverageAmount: '900000.00', quoteId: quote.id });
        const documents = await eventually(
          async () => answered(await call(api, 'GET', `/subscriptions/${id}/documents`, { token: holder }), 200, 'the documents'),
          (body) => body.items.length === 1,
          "version 1's schedule, stored by the policy's run",
          WAIT_BOUND_MS,
        );
        const download = await fetch(`${api}/api/v1/subscriptions/${id}/documents/${documents.items[0].id}`, {
          headers: { authorization: `Bearer ${holder}` },
        });
        expect(download.status).toBe(200);
        const text = await pdfText(Buffer.from(await download.arrayBuffer()));
        expect(text).toContain('Premium for the period: $1,600.01');
        expect(text).toContain('How the premium was priced');
        expect(text).toContain('Deductible 500.00 (credit 0.05) (factor 0.95): -$65.34');
        expect(text).toContain("Underwriter's loading 0.15 (factor 1.15): $189.97");
        expect(text).toContain('Tax at 0.09: $131.08');
      },
    );
  });

  // README, A ten-line tour: its commands as written, in the shell of its Demo users (only API points at this stack).
  itNeeding(
    curlAndJqTool(),
    "runs the README's ten-line tour as written: the first premium recorded, the policy active, a claim filed and its run found",
    async () => {
      const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
      const bashBlockUnder = (heading: string) => /```bash\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(`\n## ${heading}\n`)))![1];
      const script = bashBlockUnder('Demo users').replace(/^API=.*$/m, `API=${api}/api/v1`) + bashBlockUnder('A ten-line tour');
      const { stdout } = await promisify(execFile)('bash', ['-o', 'pipefail', '-c', script], { timeout: WAIT_BOUND_MS });
      expect(stdout).toMatch(/"paid"$/m);
      expect(stdout).toMatch(/"claimNumber": "CLM-\d{4}-\d{6}",\s*"status": "reported"/);
      expect(stdout).toMatch(/"status": "RUNNING",\s*"searchAttributes": \{/);
    },
    2 * WAIT_BOUND_MS,
  );
});

/** The rating tables of docs/quotes.md's walkthrough (Try it), for the starter catalog's house plans. */
const TABLES = {
  ratePerThousand: '1.20',
  sumInsured: { min: '50000.00', max: '1000000.00' },
  categories: { detached_house: '1.10', bungalow: '1.00', duplex: '1.05' },
  deductibles: [
    { amount: '250.00', credit: '0' },
    { amount: '500.00', credit: '0.05' },
  ],
  buildingAge: [
    { upToYears: 10, factor: '0.95' },
    { upToYears: 50, factor: '1.00' },
    { upToYears: 200, factor: '1.25' },
  ],
  zones: [
    { code: 'Z1', postcodePrefixes: ['7'], factor: '1.25' },
    { code: 'Z2', postcodePrefixes: ['75', '69'], factor: '1.10' },
  ],
  options: [{ code: 'glass', label: 'Glass breakage', premium: '25.00' }],
  minimumPremium: '150.00',
  taxRate: '0.09',
  fees: [{ label: 'Policy fee', amount: '12.50' }],
  referral: { sumInsuredAbove: '750000.00' },
};
