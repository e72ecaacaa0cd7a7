/**
 * Every mail's words are in the templates (src/services/notifications/messages, docs/notifications.md):
 * callers pass a template's type and values, never sentences.
 *
 * What is scanned: the product's code (src and worker), as the type checker sees it. What counts
 * as a mail: an object literal whose type, where it is written, is a mail the mailer sends
 * (`OutgoingEmail`, src/services/mailer.ts) or the input of the `sendEmail` activity
 * (`SendEmailInput`, src/activities/notifications.ts), however it reaches there (an argument, a
 * typed constant, a function's return). What counts as a text written there: its `subject` or
 * `text` given as a string literal, a template literal or a concatenation with one. Outside
 * src/services/notifications that fails; a subject and text handed on from the renderer (a
 * variable, a property of the rendered mail) pass.
 *
 * The activity still takes a subject and text in place of a template, because activity tasks that
 * runs scheduled before their mails were templates carry them (tests/fixtures/histories hold such
 * runs) and a task in flight at a deploy must still be sent; no code of ours writes one.
 *
 * So that the check cannot pass by finding nothing, it must find the places that build the mails
 * the product sends, and report a planted mistake of each kind.
 */
import path from 'node:path';
import ts from 'typescript';
import { collect, ROOT, type SourceProgram, sourceProgram, whereIs } from '../support/source-program';

const TEMPLATES = 'src/services/notifications/';
/** Where the mail types are declared: the mailer's message and the activity's input. */
const MAIL_TYPES = ['src/services/mailer.ts', 'src/activities/notifications.ts'];

interface MailPart {
  where: string;
  file: string;
  part: string;
  written: boolean;
}

/** True for text written in place: a literal, a template, or a `+` with one of them. */
function isWrittenText(value: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(value)) return isWrittenText(value.expression);
  if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isTemplateExpression(value)) return true;
  return (
    ts.isBinaryExpression(value) &&
    value.operatorToken.kind === ts.SyntaxKind.PlusToken &&
    (isWrittenText(value.left) || isWrittenText(value.right))
  );
}

/** Whether `object` is written where a mail of MAIL_TYPES is expected. */
function isMail(checker: ts.TypeChecker, object: ts.ObjectLiteralExpression): boolean {
  const expected = checker.getContextualType(object);
  const subject = expected && checker.getPropertyOfType(expected, 'subject');
  const files = (subject?.declarations ?? []).map((declaration) => path.relative(ROOT, declaration.getSourceFile().fileName));
  return files.some((file) => MAIL_TYPES.includes(file));
}

function mailPartsOf({ checker, files }: SourceProgram): MailPart[] {
  const product = files.filter((file) => /^(src|worker)\//.test(path.relative(ROOT, file.fileName)));
  return collect(product, (node) => {
    if (!(ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) || !ts.isObjectLiteralExpression(node.parent))
      return undefined;
    const part = node.name.getText();
    if ((part !== 'subject' && part !== 'text') || !isMail(checker, node.parent)) return undefined;
    const where = whereIs(node);
    return { where, file: where.split(':')[0], part, written: ts.isPropertyAssignment(node) && isWrittenText(node.initializer) };
  });
}

const problemsOf = (parts: MailPart[]) =>
  parts.filter((part) => part.written && !part.file.startsWith(TEMPLATES)).map((part) => `${part.where} writes a mail's ${part.part}`);

const PLANTED = 'src/activities/planted-mail.ts';
const PLANTED_SOURCE = `import type { Mailer } from '../services/mailer';
import type { SendEmailInput } from './notifications';
export const notice = (claimNumber: string): SendEmailInput => ({
  idempotencyKey: 'k', tenantId: null, to: { emails: ['a@example.test'] },
  subject: \`Claim \${claimNumber} is paid\`,
  text: 'Your claim is paid.',
});
export const direct = (mailer: Mailer, name: string) =>
  mailer.send({ to: ['a@example.test'], subject: ('Hello ' + name), text: name, messageId: '<x@example.test>' });
`;

describe('mail texts are written only in the templates', () => {
  let parts: MailPart[];

  beforeAll(() => {
    parts = mailPartsOf(sourceProgram({ [PLANTED]: PLANTED_SOURCE }));
  });

  it('finds where the mails the product sends are built: the activity and the account mails', () => {
    const builders = new Set(parts.filter((part) => part.file !== PLANTED).map((part) => part.file));
    expect([...builders]).toEqual(expect.arrayContaining(['src/activities/notifications.ts', 'src/domain/identity/account-mails.ts']));
  });

  it('reports a text written into a mail, in the activity input and in the mailer message', () => {
    expect(problemsOf(parts.filter((part) => part.file === PLANTED))).toEqual([
      `${PLANTED}:5 writes a mail's subject`,
      `${PLANTED}:6 writes a mail's text`,
      `${PLANTED}:9 writes a mail's subject`,
    ]);
  });

  it('finds no mail text written outside the templates', () => {
    expect(problemsOf(parts.filter((part) => part.file !== PLANTED))).toEqual([]);
  });
});
