import {
  buildManifest,
  challengeFor,
  createPrincipal,
  decisionError,
  renderManifestMarkdown,
  type Principal,
} from '@valet/core';
import {
  InputValidationError,
  ValetTypes,
  resolveToolset,
  validateInput,
  valetContainerModule,
  type InputViolation,
  type ToolDeclaration,
} from '@valet/decorators';
import { Container } from 'inversify';
import { FileStore } from './file-store.js';
import { FileTools } from './file-tools.js';
import { scopes } from './scopes.js';

/** What happened to one tool call. */
export interface CallOutcome {
  readonly caller: string;
  readonly tool: string;
  readonly outcome: 'allowed' | 'refused' | 'invalid';
  /** The tool's answer, when allowed. */
  readonly result?: unknown;
  /** Why it was refused, and the HTTP answer an adapter would give. */
  readonly reason?: string;
  readonly status?: number;
  readonly challenge?: string;
  /** The scopes that would have allowed it. */
  readonly missing?: readonly string[];
  /** What was wrong with the input. */
  readonly violations?: readonly InputViolation[];
}

/** Everything the demo did: each call's outcome and the scope manifest in Markdown. */
export interface DemoResult {
  readonly outcomes: readonly CallOutcome[];
  readonly manifest: string;
}

type Call = readonly [caller: string, tool: string, args?: Record<string, unknown>];

/** The script: who calls which tool with what. */
const CALLS: readonly Call[] = [
  ['read-only', 'list_files'],
  ['read-only', 'read_file', { path: '/notes/todo.txt' }],
  ['read-only', 'write_file', { path: '/notes/plan.txt', content: 'ship it' }],
  ['read-write', 'write_file', { path: '/notes/plan.txt', content: 'ship it' }],
  ['read-write', 'read_file', { path: '/notes/plan.txt' }],
  ['read-write', 'delete_file', { path: '/notes/todo.txt' }],
  ['read-write', 'write_file', { path: 'notes/../../etc/passwd', content: 42, mode: 'root' }],
  ['anonymous', 'read_file', { path: '/notes/todo.txt' }],
];

/**
 * Runs the demo: an inversify container with the FileTools toolset (and its injected FileStore),
 * two principals (a read-only and a read-write token), each call authorized by its decorated
 * policy and its input validated against its DTO, then the scope manifest. Prints as it goes.
 */
export async function runDemo(print: (line: string) => void = console.log): Promise<DemoResult> {
  const container = new Container();
  container.bind(FileStore).toSelf().inSingletonScope();
  container.load(valetContainerModule({ toolsets: [FileTools], catalog: scopes }));

  const authorizer = container.get(ValetTypes.Authorizer);
  const tools = new Map<string, ToolDeclaration>();
  for (const definition of container.get(ValetTypes.Toolsets)) {
    for (const op of definition.operations) if (op.kind === 'tool') tools.set(op.name, op);
  }
  // The real server verifies bearer tokens with a TokenVerifier; here the principals are made directly.
  const callers = new Map<string, Principal | null>([
    [
      'read-only',
      createPrincipal({ subject: 'ada', clientId: 'demo', scopes: ['files:read'], token: 'demo-ro' }),
    ],
    [
      'read-write',
      createPrincipal({ subject: 'bob', clientId: 'demo', scopes: ['files:write'], token: 'demo-rw' }),
    ],
    ['anonymous', null],
  ]);

  print('Valet demo: decorated tools, an inversify container, two tokens.');
  print('  read-only  grants files:read');
  print('  read-write grants files:write (which implies files:read)');
  print('');

  const outcomes: CallOutcome[] = [];
  for (const [caller, tool, args] of CALLS) {
    const op = tools.get(tool)!;
    const principal = callers.get(caller) ?? null;
    const outcome = await call(caller, principal, op, args);
    outcomes.push(outcome);
    print(describe(outcome, args));
  }

  const manifest = renderManifestMarkdown(
    buildManifest(container.get(ValetTypes.Registry), { title: 'decorated-tools scopes' }),
  );
  print('');
  print(manifest);
  return { outcomes, manifest };

  async function call(
    caller: string,
    principal: Principal | null,
    op: ToolDeclaration,
    args: Record<string, unknown> | undefined,
  ): Promise<CallOutcome> {
    const decision = await authorizer.authorize(principal, op.id, { arguments: args });
    const error = decisionError(decision);
    if (error !== undefined) {
      return {
        caller,
        tool: op.name,
        outcome: 'refused',
        reason: decision.reason,
        status: error.status,
        challenge: challengeFor(error),
        missing: decision.missing,
      };
    }
    try {
      const input = op.input === undefined ? undefined : await validateInput(op.input, args);
      const instance = resolveToolset(container, op.toolset) as Record<string, (input: unknown) => unknown>;
      return { caller, tool: op.name, outcome: 'allowed', result: await instance[op.method]!(input) };
    } catch (failure) {
      if (!(failure instanceof InputValidationError)) throw failure;
      return {
        caller,
        tool: op.name,
        outcome: 'invalid',
        status: failure.status,
        violations: failure.violations,
      };
    }
  }
}

function describe(outcome: CallOutcome, args: Record<string, unknown> | undefined): string {
  const head = `${outcome.caller.padEnd(10)} ${outcome.tool}(${args === undefined ? '' : JSON.stringify(args)})`;
  switch (outcome.outcome) {
    case 'allowed':
      return `${head}\n    allowed: ${JSON.stringify(outcome.result)}`;
    case 'refused':
      return [
        `${head}`,
        `    refused (${outcome.status}): ${outcome.reason}`,
        ...(outcome.missing!.length > 0 ? [`    missing scopes: ${outcome.missing!.join(' ')}`] : []),
        `    WWW-Authenticate: ${outcome.challenge}`,
      ].join('\n');
    case 'invalid':
      return [
        `${head}`,
        `    invalid input (${outcome.status}):`,
        ...outcome.violations!.map((v) => `      - ${v.path || 'input'}: ${v.message}`),
      ].join('\n');
  }
}
