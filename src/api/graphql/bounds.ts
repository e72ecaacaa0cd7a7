/**
 * What one GraphQL request may ask for, measured before anything executes and before graphql's own
 * validation rules run (handler.ts): some of those are quadratic in the document
 * (OverlappingFieldsCanBeMerged compares every pair of fields that share a response name), so the
 * document is first bounded here, in work linear in its size whatever its shape.
 *
 * The cost is what executing the document would make the API do. Each field declares its cost beside
 * it in the schema (`extensions: costOf({...})`); a field without a declaration costs FIELD_COST.
 * A field with a page (`first`, `last`) multiplies what it selects by the page size asked for (or
 * its default), and a page size below 1 or above the field's maximum is refused as input. A
 * fragment is measured once however often it is spread (the measure of a fragment depends only on
 * the fragment and the request's variables), and every walk counts the nodes it visits under a hard
 * bound, so a document of nested fragments each spreading the next ten times is refused in the time
 * it takes to read it. `@pothos/plugin-complexity` was considered instead: it re-walks a fragment at
 * every spread (exponential on exactly that document) and checks while executing, not before.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

export const MAX_DEPTH = 8;
export const MAX_COST = 5_000;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
/** What a field costs unless it declares otherwise: one value resolved from what its parent read. */
export const FIELD_COST = 1;
/**
 * A query to a claim's workflow run (`liveState`): a workflow task on the worker, a replay of the
 * run's history when it is not cached. As dear as a hundred rows, so one request asks fewer than 50
 * runs (a page of 100 claims with their live state is refused).
 */
export const LIVE_STATE_COST = 100;
/**
 * One aggregate statement over a tenant's rows (a report section, a `totalCount`). A claims report's
 * statements took 43 ms each on average at 100,000 claims (docs/reports.md), twice the 22 ms of the
 * screen query that costs 700 in rows: so a whole report costs about what one REST request runs.
 */
export const STATEMENT_COST = 500;
/** The longest query text parsed: a bound on the parser's work, ten times the standard introspection query. */
export const MAX_TOKENS = 2_000;
/** Selections one request's measure may visit: a document within MAX_TOKENS visits fewer unless it multiplies its fragments. */
export const MAX_VISITS = 10_000;
/**
 * Pairs of fields that share a response name where they merge (the pairs graphql's
 * OverlappingFieldsCanBeMerged compares): far above what fragments sharing an `id` make, far below
 * the hundreds of thousands that hold the process for a second.
 */
export const MAX_MERGED_PAIRS = 2_000;
/** Fragment definitions in one document: graphql compares fragments pairwise. */
export const MAX_FRAGMENTS = 50;
/** `__schema` and `__type` selections in one operation. */
export const MAX_INTROSPECTION_FIELDS = 1;

/** A field's cost, declared beside it in the schema. */
export interface FieldCost {
  /** What one occurrence of the field costs, multiplied by the pages above it (default FIELD_COST). */
  own?: number;
  /** What it costs once per occurrence in the document whatever the pages above it: a statement a DataLoader runs for a whole page. */
  once?: number;
  /**
   * The argument that says how many rows the field answers, its default and its maximum. A list
   * field's page multiplies all it selects; a connection's, what its `perRow` fields select.
   */
  page?: { argument: string; default: number; max: number };
  /** Selected once per row of the page above (a connection's `nodes` and `edges`). */
  perRow?: boolean;
}

/** The extensions of a field that declares its cost (`extensions: costOf({ own: STATEMENT_COST })`). */
export function costOf(cost: FieldCost): { cost: FieldCost } {
  return { cost };
}

/** The page of a connection: `first`, 20 unless given, at most 100. */
export const PAGED_BY_FIRST = costOf({ page: { argument: 'first', default: DEFAULT_PAGE_SIZE, max: MAX_PAGE_SIZE } });

export interface Limits {
  depth: number;
  cost: number;
}

export interface BoundsOptions {
  /** The request's variables: a page size given by a variable counts as given. */
  variables?: Record<string, unknown>;
  limits?: Limits;
  /** Whether this caller may introspect (`__schema`, `__type`); `__typename` is always answered. */
  introspection?: boolean;
}

interface Measure {
  depth: number;
  cost: number;
  /** What is selected per row of the page above, still to be multiplied by that page. */
  rowCost: number;
  once: number;
  /** `__schema` and `__type` selections. */
  introspection: number;
}

const NOTHING: Measure = { depth: 0, cost: 0, rowCost: 0, once: 0, introspection: 0 };

/** Thrown when a walk visits more than its bound: the document is refused without finishing the walk. */
class TooComplex extends Error {}

function tooComplex(operation: OperationDefinitionNode, reason: string): GraphQLError {
  return new GraphQLError(`The query is too complex to run: ${reason}`, { nodes: operation, extensions: { code: 'QUERY_TOO_COMPLEX' } });
}

/** How much an introspection answer can list: every type, field, argument, enum value and input field. */
interface IntrospectionSizes {
  schema: number;
  types: Map<string, number>;
  largestType: number;
}

const introspectionSizesBySchema = new WeakMap<GraphQLSchema, IntrospectionSizes>();

function introspectionSizes(schema: GraphQLSchema): IntrospectionSizes {
  const known = introspectionSizesBySchema.get(schema);
  if (known) return known;
  const types = new Map<string, number>();
  for (const type of Object.values(schema.getTypeMap())) {
    let size = 1;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) size += 1 + field.args.length;
    } else if (isInputObjectType(type)) {
      size += Object.keys(type.getFields()).length;
    } else if (isEnumType(type)) {
      size += type.getValues().length;
    }
    types.set(type.name, size);
  }
  const directives = schema.getDirectives().reduce((sum, directive) => sum + 1 + directive.args.length, 0);
  const sizes = {
    schema: [...types.values()].reduce((sum, size) => sum + size, directives),
    types,
    largestType: Math.max(...types.values()),
  };
  introspectionSizesBySchema.set(schema, sizes);
  return sizes;
}

/** The field a selection names on its parent type, introspection's own fields included. */
function fieldDefinition(
  schema: GraphQLSchema,
  parent: GraphQLNamedType | undefined,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === '__schema' && parent === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === '__type' && parent === schema.getQueryType()) return TypeMetaFieldDef;
  if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name];
  return undefined;
}

/** One operation's measure: fragments measured once each, every selection visited counted. */
class OperationMeasure {
  private readonly fragmentMeasures = new Map<string, Measure | 'measuring'>();
  readonly inputErrors: GraphQLError[] = [];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Map<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly operation: OperationDefinitionNode,
    private readonly budget: { visits: number },
  ) {}

  visit(): void {
    if (--this.budget.visits < 0) throw new TooComplex();
  }

  selectionSet(selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): Measure {
    const total = { ...NOTHING };
    for (const selection of selectionSet.selections) {
      this.visit();
      let inner: Measure;
      if (selection.kind === Kind.FIELD) {
        inner = this.field(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        inner = this.selectionSet(selection.selectionSet, type);
      } else {
        inner = this.fragment(selection.name.value);
      }
      total.depth = Math.max(total.depth, inner.depth);
      total.cost += inner.cost;
      total.rowCost += inner.rowCost;
      total.once += inner.once;
      total.introspection += inner.introspection;
    }
    return total;
  }

  /** A fragment's measure, taken once; a missing or cyclic fragment adds nothing (graphql's own rules report it). */
  private fragment(name: string): Measure {
    const known = this.fragmentMeasures.get(name);
    if (known === 'measuring') return NOTHING;
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return NOTHING;
    this.fragmentMeasures.set(name, 'measuring');
    const measure = this.selectionSet(fragment.selectionSet, this.schema.getType(fragment.typeCondition.name.value));
    this.fragmentMeasures.set(name, measure);
    return measure;
  }

  private field(field: FieldNode, parent: GraphQLNamedType | undefined): Measure {
    const name = field.name.value;
    const definition = fieldDefinition(this.schema, parent, name);
    if (name === '__schema' || name === '__type') {
      // Its answer is as large as the schema (or the type); graphql's MaxIntrospectionDepthRule bounds its nesting.
      const below = field.selectionSet && definition ? this.selectionSet(field.selectionSet, getNamedType(definition.type)) : NOTHING;
      return { ...below, depth: 1, cost: this.introspectionCost(field) + below.cost, introspection: 1 + below.introspection };
    }
    const declared = (definition?.extensions as { cost?: FieldCost } | undefined)?.cost ?? {};
    const below = field.selectionSet ? this.selectionSet(field.selectionSet, definition && getNamedType(definition.type)) : NOTHING;
    const own = declared.own ?? FIELD_COST;
    const measure = { ...below, depth: below.depth + 1, once: (declared.once ?? 0) + below.once };
    if (declared.page && definition) {
      const page = this.pageSize(field, declared.page);
      const list = isListType(getNullableType(definition.type));
      const perRow = below.rowCost + (list ? below.cost : 0);
      return { ...measure, cost: own + (list ? 0 : below.cost) + perRow * page, rowCost: 0 };
    }
    if (declared.perRow) return { ...measure, cost: 0, rowCost: own + below.cost + below.rowCost };
    return { ...measure, cost: own + below.cost };
  }

  private introspectionCost(field: FieldNode): number {
    const sizes = introspectionSizes(this.schema);
    if (field.name.value === '__schema') return sizes.schema;
    const name = this.valueOf(field.arguments?.find((argument) => argument.name.value === 'name')?.value);
    if (typeof name !== 'string') return sizes.largestType;
    return sizes.types.get(name) ?? FIELD_COST;
  }

  /** The value an argument is given: a literal, or a variable's value or default; undefined when not given. */
  private valueOf(value: ValueNode | undefined): unknown {
    if (!value) return undefined;
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      if (Object.hasOwn(this.variables, name)) return this.variables[name];
      const definition = this.operation.variableDefinitions?.find((v) => v.variable.name.value === name);
      return definition?.defaultValue ? this.valueOf(definition.defaultValue) : undefined;
    }
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.STRING) return value.value;
    if (value.kind === Kind.NULL) return null;
    return value;
  }

  /**
   * The rows a paged field answers. A whole number out of range is refused here, before execution;
   * anything else that is not an Int is graphql's to refuse, and counts as the maximum meanwhile.
   */
  private pageSize(field: FieldNode, page: NonNullable<FieldCost['page']>): number {
    const argument = field.arguments?.find((a) => a.name.value === page.argument);
    const given = this.valueOf(argument?.value);
    if (given === undefined || given === null) return page.default;
    if (typeof given !== 'number' || !Number.isSafeInteger(given)) return page.max;
    if (given >= 1 && given <= page.max) return given;
    this.inputErrors.push(
      new GraphQLError(`${field.name.value}(${page.argument}:) must be between 1 and ${page.max}`, {
        nodes: argument ?? field,
        extensions: { code: 'BAD_USER_INPUT', argument: page.argument, min: 1, max: page.max },
      }),
    );
    return page.max;
  }

  /**
   * Pairs of fields that share a response name where they merge, fragments and inline fragments
   * expanded: what OverlappingFieldsCanBeMerged compares. Walked only once the cost is within its
   * limit, which bounds the expanded document; the visits are counted all the same.
   */
  mergedPairs(selectionSets: SelectionSetNode[]): number {
    const byName = new Map<string, { count: number; below: SelectionSetNode[] }>();
    const collect = (selectionSet: SelectionSetNode, expanding: Set<string>) => {
      for (const selection of selectionSet.selections) {
        this.visit();
        if (selection.kind === Kind.FIELD) {
          const name = selection.alias?.value ?? selection.name.value;
          const entry = byName.get(name) ?? { count: 0, below: [] };
          entry.count += 1;
          if (selection.selectionSet) entry.below.push(selection.selectionSet);
          byName.set(name, entry);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          collect(selection.selectionSet, expanding);
        } else {
          const fragment = this.fragments.get(selection.name.value);
          if (!fragment || expanding.has(fragment.name.value)) continue;
          collect(fragment.selectionSet, new Set(expanding).add(fragment.name.value));
        }
      }
    };
    for (const selectionSet of selectionSets) collect(selectionSet, new Set());
    let pairs = 0;
    for (const { count, below } of byName.values()) {
      pairs += (count * (count - 1)) / 2;
      if (below.length) pairs += this.mergedPairs(below);
    }
    return pairs;
  }
}

/**
 * The bounds of one request as a validation rule: depth, cost, page sizes, introspection, and the
 * shapes graphql's own rules would take long over. Run it alone, before those rules (handler.ts).
 */
export function boundsRule(options: BoundsOptions = {}): (context: ValidationContext) => ASTVisitor {
  const { variables = {}, limits = { depth: MAX_DEPTH, cost: MAX_COST }, introspection = true } = options;
  return (context) => {
    const document = context.getDocument();
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    // Shared by every operation of the document: a document of many operations spreading one large fragment is bounded too.
    const budget = { visits: MAX_VISITS };
    return {
      Document() {
        if (fragments.size > MAX_FRAGMENTS) {
          context.reportError(
            new GraphQLError(`The query defines ${fragments.size} fragments; at most ${MAX_FRAGMENTS} are allowed`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', fragments: fragments.size, limit: MAX_FRAGMENTS },
            }),
          );
          return false;
        }
        return undefined;
      },
      OperationDefinition(operation) {
        const measure = new OperationMeasure(context.getSchema(), fragments, variables, operation, budget);
        for (const error of checkOperation(measure, operation, context.getSchema(), limits, introspection)) context.reportError(error);
        return false;
      },
      FragmentDefinition: () => false,
    };
  };
}

function checkOperation(
  measure: OperationMeasure,
  operation: OperationDefinitionNode,
  schema: GraphQLSchema,
  limits: Limits,
  introspection: boolean,
): GraphQLError[] {
  let measured: Measure;
  try {
    measured = measure.selectionSet(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  } catch (error) {
    if (error instanceof TooComplex) return [tooComplex(operation, `it has more than ${MAX_VISITS} selections to measure`)];
    throw error;
  }
  // A page size out of range is the input error to tell; the cost it would make means nothing.
  if (measure.inputErrors.length) return measure.inputErrors;
  const errors: GraphQLError[] = [];
  if (measured.introspection > 0 && !introspection) {
    errors.push(
      new GraphQLError('Introspection needs a signed-in caller (a bearer token)', {
        nodes: operation,
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    );
  } else if (measured.introspection > MAX_INTROSPECTION_FIELDS) {
    errors.push(
      new GraphQLError(
        `The query asks for __schema or __type ${measured.introspection} times; at most ${MAX_INTROSPECTION_FIELDS} is allowed`,
        {
          nodes: operation,
          extensions: { code: 'INTROSPECTION_LIMIT_EXCEEDED', count: measured.introspection, limit: MAX_INTROSPECTION_FIELDS },
        },
      ),
    );
  }
  if (measured.depth > limits.depth) {
    errors.push(
      new GraphQLError(`The query is ${measured.depth} levels deep; at most ${limits.depth} are allowed`, {
        nodes: operation,
        extensions: { code: 'DEPTH_LIMIT_EXCEEDED', depth: measured.depth, limit: limits.depth },
      }),
    );
  }
  // Rows selected under no page (no field declares so today) count as a whole page of the largest size.
  const cost = measured.cost + measured.rowCost * MAX_PAGE_SIZE + measured.once;
  if (cost > limits.cost) {
    errors.push(
      new GraphQLError(`The query costs ${cost}; at most ${limits.cost} is allowed (ask for smaller pages or fewer fields)`, {
        nodes: operation,
        extensions: { code: 'COST_LIMIT_EXCEEDED', cost, limit: limits.cost },
      }),
    );
  }
  if (errors.length) return errors;
  try {
    const pairs = measure.mergedPairs([operation.selectionSet]);
    if (pairs > MAX_MERGED_PAIRS)
      return [tooComplex(operation, `${pairs} pairs of fields share a response name (at most ${MAX_MERGED_PAIRS})`)];
  } catch (error) {
    if (error instanceof TooComplex) return [tooComplex(operation, `it has more than ${MAX_VISITS} selections to measure`)];
    throw error;
  }
  return [];
}
