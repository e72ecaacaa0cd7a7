/**
 * A person's decision reaches a run one way only: `decideOnRun` (src/services/run-decisions.ts).
 *
 * What is scanned: every call, in the project's code (tsconfig.json: src, worker, scripts, bench),
 * that the type checker resolves to a method of the Temporal client (`WorkflowClient`, or a
 * workflow handle, whose `signal` @temporalio/common declares) that sends a workflow an Update or
 * a Signal: `executeUpdate`, `startUpdate`, `executeUpdateWithStart`, `startUpdateWithStart`,
 * `signal`, `signalWithOptions`, `signalWithStart`. A method of the same name on anything else
 * (a mailer's, an AbortController's) is not Temporal's and is left out.
 *
 * What a decision is: an Update or Signal whose request names the person who decides, by an
 * `actor` or a `userId` (every decision of the contracts does: a claim's assignment, an
 * acknowledgement, a review, a registration's approval). Told from the definition's type, so a
 * definition re-exported or renamed is still known.
 *
 * A send of a decision anywhere but the sender fails, and so does a send whose request cannot be
 * told (a definition named by a string, or a generic one) outside the sender and the outbox's
 * relay, which delivers the signals the commands write with their change. So that the check cannot
 * pass by finding nothing, it must find the sender's own send, tell the contracts' decisions from
 * the other messages, and report a planted send.
 */
import ts from 'typescript';
import { collect, type SourceProgram, sourceProgram, whereIs } from '../support/source-program';

const SENDER = 'src/services/run-decisions.ts';
/** Modules that may send what cannot be told from its type, and why. */
const RELAYS: Record<string, string> = {
  [SENDER]: 'sends every decision, whatever its definition',
  'src/services/outbox.ts': "delivers the signals written with a change, stored under their definition's name",
};

const SENDS = [
  'executeUpdate',
  'startUpdate',
  'executeUpdateWithStart',
  'startUpdateWithStart',
  'signal',
  'signalWithOptions',
  'signalWithStart',
];
/** Where those methods are declared: the client, and the handle every workflow handle extends. */
const TEMPORAL_DECLARATIONS = /\/node_modules\/@temporalio\/(client\/|common\/lib\/workflow-handle\.d\.ts$)/;

type Request = { kind: 'decision' | 'other'; request: string } | { kind: 'unknown'; why: string };

interface Send {
  where: string;
  file: string;
  definition: string;
  request: Request;
}

/** What the Update or Signal definition of type `definition` carries as its request. */
function requestOf(checker: ts.TypeChecker, definition: ts.Type): Request {
  if (definition.flags & ts.TypeFlags.StringLike) return { kind: 'unknown', why: 'named by a string' };
  // Args is held by a virtual property keyed by a unique symbol (`[argsBrand]: Args`).
  const args = checker.getPropertiesOfType(definition).find((property) => String(property.escapedName).startsWith('__@argsBrand'));
  if (!args) return { kind: 'unknown', why: `not a single definition (${checker.typeToString(definition)})` };
  const [request] = checker.getTypeArguments(checker.getTypeOfSymbol(args) as ts.TypeReference);
  if (!request) return { kind: 'other', request: 'none' };
  if (request.flags & ts.TypeFlags.TypeParameter) return { kind: 'unknown', why: 'generic' };
  const namesPerson = ['actor', 'userId'].some((name) => checker.getPropertyOfType(request, name));
  return { kind: namesPerson ? 'decision' : 'other', request: checker.typeToString(request) };
}

/** The definition a send names: its first argument, or `signal` of signalWithStart's options. */
function definitionOf(checker: ts.TypeChecker, call: ts.CallExpression, method: string): ts.Type | undefined {
  if (method !== 'signalWithStart') return call.arguments[0] && checker.getTypeAtLocation(call.arguments[0]);
  const options = call.arguments[1] && checker.getTypeAtLocation(call.arguments[1]);
  const signal = options && checker.getPropertyOfType(options, 'signal');
  return signal && checker.getTypeOfSymbol(signal);
}

function sendsOf({ checker, files }: SourceProgram): Send[] {
  return collect(files, (node) => {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const method = node.expression.name.text;
    if (!SENDS.includes(method)) return undefined;
    const declared = checker.getResolvedSignature(node)?.getDeclaration()?.getSourceFile().fileName ?? '';
    if (!TEMPORAL_DECLARATIONS.test(declared)) return undefined;
    const definition = definitionOf(checker, node, method);
    const where = whereIs(node);
    return {
      where,
      file: where.split(':')[0],
      definition: method === 'signalWithStart' ? 'its options’ signal' : (node.arguments[0]?.getText() ?? 'nothing'),
      request: definition ? requestOf(checker, definition) : { kind: 'unknown', why: 'no definition' },
    };
  });
}

function problemsOf(sends: Send[]): string[] {
  return sends.flatMap(({ where, file, definition, request }) => {
    if (file === SENDER) return [];
    if (request.kind === 'decision') return [`${where} sends the decision ${definition} (${request.request}) outside ${SENDER}`];
    if (request.kind === 'unknown' && !RELAYS[file]) return [`${where} sends ${definition}, whose request cannot be told (${request.why})`];
    return [];
  });
}

/** The contracts' Update and Signal definitions, by exported name, with what their request is. */
function contractDefinitions({ program, checker }: SourceProgram): Map<string, Request> {
  const found = new Map<string, Request>();
  for (const file of program.getSourceFiles().filter((source) => source.fileName.includes('/src/contracts/'))) {
    const module = checker.getSymbolAtLocation(file);
    for (const exported of module ? checker.getExportsOfModule(module) : []) {
      const type = checker.getTypeOfSymbol(exported);
      const kind = checker.getPropertyOfType(type, 'type');
      const literal = kind && checker.typeToString(checker.getTypeOfSymbol(kind));
      if (literal === '"update"' || literal === '"signal"') found.set(exported.name, requestOf(checker, type));
    }
  }
  return found;
}

const PLANTED = 'src/activities/planted-decision.ts';
const PLANTED_SOURCE = `import type { Client } from '@temporalio/client';
import { rescheduleDeadlinesUpdate } from '../contracts/calendar-reschedule';
import { assignClaimUpdate as assign, type AssignmentRequest } from '../contracts/claim';
export const decision = (temporal: Client, request: AssignmentRequest) =>
  temporal.workflow.getHandle('claim-x').executeUpdate(assign, { args: [request] });
export const named = (temporal: Client) => temporal.workflow.getHandle('claim-x').signal('assign');
export const system = (temporal: Client) => temporal.workflow.getHandle('claim-x').executeUpdate(rescheduleDeadlinesUpdate);
`;

describe('a decision reaches a run only through decideOnRun', () => {
  let source: SourceProgram;
  let sends: Send[];

  beforeAll(() => {
    source = sourceProgram({ [PLANTED]: PLANTED_SOURCE });
    sends = sendsOf(source);
  });

  it('finds the one sender, sending whatever decision it is given', () => {
    expect(sends.filter((send) => send.file === SENDER)).toEqual([
      expect.objectContaining({ definition: 'update', request: { kind: 'unknown', why: 'generic' } }),
    ]);
  });

  it("tells the contracts' decisions from their other messages", () => {
    const definitions = contractDefinitions(source);
    const decisions = [...definitions].filter(([, request]) => request.kind === 'decision').map(([name]) => name);
    expect(decisions).toEqual(
      expect.arrayContaining([
        'assignClaimUpdate',
        'transitionClaimUpdate',
        'decidePaymentUpdate',
        'decideReserveChangeUpdate',
        'acknowledgeUpdate',
        'cancelSubscriptionUpdate',
        'renewSubscriptionUpdate',
        'approveRegistrationUpdate',
        'rejectRegistrationUpdate',
        'approvePolicyVersionUpdate',
        'rejectPolicyVersionUpdate',
      ]),
    );
    for (const other of [
      'rescheduleDeadlinesUpdate',
      'submissionRecordedUpdate',
      'confirmActivationUpdate',
      'premiumPaidSignal',
      'versionRetiredSignal',
    ]) {
      expect([other, definitions.get(other)?.kind]).toEqual([other, 'other']);
    }
  });

  it('reports a decision sent elsewhere, and a send it cannot tell', () => {
    expect(problemsOf(sends.filter((send) => send.file === PLANTED))).toEqual([
      `${PLANTED}:5 sends the decision assign (AssignmentRequest) outside ${SENDER}`,
      `${PLANTED}:6 sends 'assign', whose request cannot be told (named by a string)`,
    ]);
  });

  it('finds no other module sending a decision', () => {
    const real = sends.filter((send) => send.file !== PLANTED);
    // The system's own messages are sent where they are needed: a calendar's rescheduling, a paid premium.
    expect(real.filter((send) => send.request.kind === 'other').length).toBeGreaterThanOrEqual(3);
    expect(problemsOf(real)).toEqual([]);
    for (const relay of Object.keys(RELAYS)) expect([relay, real.some((send) => send.file === relay)]).toEqual([relay, true]);
  });
});
