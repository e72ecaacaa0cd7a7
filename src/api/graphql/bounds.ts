/**
 * What one GraphQL request may ask for, checked with the document's validation, before anything
 * executes: a depth limit and a cost limit. A field costs 1; a field that takes `first` (a page)
 * multiplies the cost of what it selects by the page size asked for (or the default page), so the
 * cost bounds the rows a request can make the database return (`last` counts like `first`). A
 * field that asks a workflow run for its live state costs LIVE_STATE_COST, so a request cannot
 * fan out into hundreds of Temporal queries. The error carries the computed cost.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export const MAX_DEPTH = 8;
export const MAX_COST = 5_000;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** What a `liveState` field costs: one Temporal query, as dear as a page of rows. */
export const LIVE_STATE_COST = 20;
/** The longest query text parsed: a bound on the parser's work, far above any real screen's query. */
export const MAX_TOKENS = 5_000;

interface Measure {
  depth: number;
  cost: number;
}

/**
 * The rows a field asks for: its `first` (a page) or `last` (a claim's history) argument, capped;
 * the default page when given otherwise; undefined for a field without either.
 */
function pageSizeOf(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  const first = field.arguments?.find((argument) => argument.name.value === 'first' || argument.name.value === 'last');
  if (!first) return undefined;
  const value = first.value;
  if (value.kind === Kind.INT) return Math.min(Number(value.value), MAX_PAGE_SIZE);
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return typeof given === 'number' ? Math.min(given, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  }
  return DEFAULT_PAGE_SIZE;
}

function measure(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  visiting: Set<string>,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    let inner: Measure;
    if (selection.kind === Kind.FIELD && selection.name.value.startsWith('__')) {
      // Introspection is as large as the schema and no larger (graphql's own rule bounds its nesting).
      inner = { depth: 1, cost: 1 };
    } else if (selection.kind === Kind.FIELD) {
      const below = selection.selectionSet ? measure(selection.selectionSet, fragments, variables, visiting) : { depth: 0, cost: 0 };
      const page = pageSizeOf(selection, variables);
      const own = selection.name.value === 'liveState' ? LIVE_STATE_COST : 1;
      inner = { depth: below.depth + 1, cost: own + below.cost * (page ?? 1) };
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(selection.selectionSet, fragments, variables, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A missing or cyclic fragment is reported by the specified rules; it adds nothing here.
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      inner = measure(fragment.selectionSet, fragments, variables, visiting);
      visiting.delete(name);
    }
    depth = Math.max(depth, inner.depth);
    cost += inner.cost;
  }
  return { depth, cost };
}

export interface Limits {
  depth: number;
  cost: number;
}

/** The validation rule of both limits, for one request's variables (a page size given by a variable counts as given). */
export function boundsRule(
  variables: Record<string, unknown> = {},
  limits: Limits = { depth: MAX_DEPTH, cost: MAX_COST },
): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(operation) {
      const fragments = new Map(
        context
          .getDocument()
          .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d]),
      );
      const { depth, cost } = measure(operation.selectionSet, fragments, variables, new Set());
      if (depth > limits.depth) {
        context.reportError(
          new GraphQLError(`The query is ${depth} levels deep; at most ${limits.depth} are allowed`, {
            nodes: operation,
            extensions: { code: 'DEPTH_LIMIT_EXCEEDED', depth, limit: limits.depth },
          }),
        );
      }
      if (cost > limits.cost) {
        context.reportError(
          new GraphQLError(`The query costs ${cost}; at most ${limits.cost} is allowed (ask for smaller pages or fewer fields)`, {
            nodes: operation,
            extensions: { code: 'COST_LIMIT_EXCEEDED', cost, limit: limits.cost },
          }),
        );
      }
      return false;
    },
  });
}
