/**
 * A quote's mail from the outbox (docs/quotes.md, Quotes; src/activities/outbox-mails.ts): the API
 * records it with the quote and the worker sends it. Here the worker's sending is called by hand on
 * the real stack (PostgreSQL, the SMTP sink), so that each outcome is seen: a mail server that
 * refuses leaves the mail waiting with its error, the next attempt after the back-off sends it, and
 * sending again sends nothing more; a visitor's quote hands over no mail, and a quote gone before
 * its mail was sent is mailed to nobody.
 */
import { sendDueMails } from '../../src/activities/outbox-mails';
import { OutboxMessage, Plan, Quote, Tenant, User } from '../../src/models';
import { bearer, buildPlan, buildTenant, buildUser } from '../support/factories';
import { buildRatingVersion, RISK } from '../support/quote-rows';
import { testStackOfBlock } from '../support/stack';

describe("a quote's mail from the outbox", () => {
  const stack = testStackOfBlock();
  let tenant: Tenant;
  let plan: Plan;
  let holder: User;

  beforeAll(async () => {
    tenant = await buildTenant();
    holder = await buildUser({ tenantId: tenant.id, role: 'policyholder' });
    plan = await buildPlan({ tenantId: tenant.id, currency: 'EUR', name: 'Home Mailed' });
    await buildRatingVersion(plan, holder.id);
  });

  const quote = async () =>
    (
      await stack.api
        .post('/api/v1/quotes')
        .set('Authorization', bearer(stack.config, holder))
        .send({ planId: plan.id, risk: RISK })
        .expect(201)
    ).body as { id: string; premium: string };
  const messageOf = (quoteId: string) => OutboxMessage.findOne({ where: { kind: 'mail', workflowId: `quote-issued-${quoteId}` } });
  const mailsOf = (quoteId: string) => stack.smtp.messages.filter((mail) => mail.text.includes(quoteId));

  it('waits while the mail server refuses it, with the error, and is sent once by the attempt after the back-off', async () => {
    const { id, premium } = await quote();
    const refusing = { send: () => Promise.reject(new Error('421 mail server unavailable')), close: () => undefined };
    await sendDueMails({ ...stack.deps, mailer: refusing });
    const waiting = await messageOf(id);
    expect(waiting).toMatchObject({ deliveredAt: null, attempts: 1, lastError: expect.stringContaining('421') });
    expect(waiting!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(mailsOf(id)).toEqual([]);

    // Not before its back-off has passed; then the next attempt sends it.
    await sendDueMails(stack.deps);
    expect((await messageOf(id))!.deliveredAt).toBeNull();
    await OutboxMessage.update({ nextAttemptAt: new Date(Date.now() - 1000) }, { where: { id: waiting!.id } });
    await sendDueMails(stack.deps);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(holder.email) && m.text.includes(id));
    expect(mail.subject).toBe(`Your quote for Home Mailed: ${premium} EUR`);
    expect(await messageOf(id)).toMatchObject({ deliveredAt: expect.any(Date), lastError: null });

    // Sent: taking the outbox again sends nothing more.
    await sendDueMails(stack.deps);
    expect(mailsOf(id)).toHaveLength(1);
  });

  it("hands over no mail for a visitor's quote, and mails nobody for a quote gone before its mail was sent", async () => {
    const visitor = await stack.api.post(`/api/v1/catalog/${tenant.slug}/quotes`).send({ planId: plan.id, risk: RISK }).expect(201);
    expect(await messageOf(visitor.body.id)).toBeNull();

    const { id } = await quote();
    await Quote.destroy({ where: { id } });
    await sendDueMails(stack.deps);
    expect(await messageOf(id)).toMatchObject({ deliveredAt: expect.any(Date) });
    expect(mailsOf(id)).toEqual([]);
  });

  it("sends a referred quote's mail while the referral is open, and none once it has ended (its outcome was mailed)", async () => {
    const open = await quote();
    const decided = await quote();
    const referred = { status: 'referred' as const, referralReasons: ['Sum insured above 500000.00'] };
    await Quote.update(referred, { where: { id: [open.id, decided.id] } });
    await Quote.update({ status: 'quoted', decidedAt: new Date(), loading: '0.1000' }, { where: { id: decided.id } });
    await sendDueMails(stack.deps);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(holder.email) && m.text.includes(open.id));
    expect(mail.text).toContain(open.id);
    expect(await messageOf(decided.id)).toMatchObject({ deliveredAt: expect.any(Date) });
    expect(mailsOf(decided.id)).toEqual([]);
  });
});
