import { describe, expect, it } from '@jest/globals';
import {
  Authorizer,
  OptionsError,
  PolicyConfigError,
  createPrincipal,
  defineScopes,
  memoryAuditSink,
  noopAuditSink,
  type PolicyRegistry,
  type Principal,
  type TokenVerifier,
} from '@valet/core';
import { Container, inject, injectable } from 'inversify';
import {
  Public,
  RequiresScope,
  Tool,
  Toolset,
  ValetTypes,
  resolveToolset,
  valetContainerModule,
} from '../src/index.js';

const scopes = defineScopes({ 'notes:read': {}, 'notes:write': { implies: ['notes:read'] } });

@injectable()
class NoteStore {
  readonly notes = new Map<string, string>([['todo', 'buy milk']]);
}

@Toolset()
@RequiresScope('notes:read')
class NoteTools {
  constructor(@inject(NoteStore) readonly store: NoteStore) {}

  @Tool({ description: 'Count the notes' })
  count(): number {
    return this.store.notes.size;
  }
}

@Toolset()
class MoreNoteTools extends NoteTools {
  @Tool({ description: 'Erase every note' })
  @RequiresScope('notes:write')
  erase(): void {
    this.store.notes.clear();
  }
}

@Toolset()
@Public()
class JournalTools {
  constructor(
    @inject(NoteStore) readonly store: NoteStore,
    @inject(ValetTypes.Registry) readonly registry: PolicyRegistry,
  ) {}

  @Tool({ description: 'How many operations the server has' })
  operations(): number {
    return this.registry.operations().length;
  }
}

/** A verifier standing for one identity provider: it accepts only its own tokens. */
class IssuerVerifier implements TokenVerifier {
  constructor(readonly issuer: string) {}

  async verify(token: string): Promise<Principal> {
    if (!token.startsWith(`${this.issuer}:`)) throw new Error(`not a token of ${this.issuer}`);
    return createPrincipal({ issuer: this.issuer, subject: token.slice(this.issuer.length + 1), token });
  }
}

function containerWith(options: Partial<Parameters<typeof valetContainerModule>[0]> = {}): Container {
  const container = new Container();
  container.bind(NoteStore).toSelf().inSingletonScope();
  container.load(
    valetContainerModule({ toolsets: [MoreNoteTools, JournalTools], catalog: scopes, ...options }),
  );
  return container;
}

describe('valetContainerModule', () => {
  it('resolves toolsets from the container, injecting services (and Valet services) into their constructors', () => {
    const container = containerWith();
    const journal = resolveToolset(container, JournalTools);
    expect(journal.store).toBe(container.get(NoteStore));
    expect(journal.registry).toBe(container.get(ValetTypes.Registry));
    expect(journal.operations()).toBe(3);
    expect(resolveToolset(container, JournalTools)).toBe(journal);
  });

  it("builds a subclass without its own constructor with its base's injections", () => {
    const container = containerWith();
    const more = resolveToolset(container, MoreNoteTools);
    expect(more.store).toBe(container.get(NoteStore));
    expect(more.count()).toBe(1);
    more.erase();
    expect(container.get(NoteStore).notes.size).toBe(0);
  });

  it('binds the frozen registry, the catalog, the toolset definitions and a singleton authorizer', () => {
    const container = containerWith();
    const registry = container.get(ValetTypes.Registry);
    expect(registry.frozen).toBe(true);
    expect(registry.operations().map((op) => op.source)).toEqual([
      'MoreNoteTools.count',
      'MoreNoteTools.erase',
      'JournalTools.operations',
    ]);
    expect(container.get(ValetTypes.Catalog)).toBe(scopes);
    expect(container.get(ValetTypes.Toolsets).map((t) => t.target)).toEqual([MoreNoteTools, JournalTools]);
    const authorizer = container.get(ValetTypes.Authorizer);
    expect(authorizer).toBeInstanceOf(Authorizer);
    expect(container.get(ValetTypes.Authorizer)).toBe(authorizer);
    expect(container.get(ValetTypes.AuditSink)).toBe(noopAuditSink);
    const writer = createPrincipal({ scopes: ['notes:write'], token: 't' });
    expect(authorizer.authorizeSync(writer, 'erase').allowed).toBe(true);
  });

  it('reports decisions to the audit sink, also one rebound before the authorizer is first resolved', () => {
    const given = memoryAuditSink();
    const container = containerWith({ audit: given });
    container.get(ValetTypes.Authorizer).authorizeSync(null, 'count');
    expect(given.events.map((e) => [e.operationId, e.allowed])).toEqual([['count', false]]);

    const rebound = memoryAuditSink();
    const other = containerWith();
    other.rebind(ValetTypes.AuditSink).toConstantValue(rebound);
    other.get(ValetTypes.Authorizer).authorizeSync(null, 'count');
    expect(rebound.events).toHaveLength(1);
  });

  it('swaps the identity provider when the verifier is rebound', async () => {
    const container = containerWith({ verifier: new IssuerVerifier('https://idp-a.example') });
    const before = container.get(ValetTypes.Verifier);
    await expect(before.verify('https://idp-a.example:alice')).resolves.toMatchObject({ subject: 'alice' });

    container.rebind(ValetTypes.Verifier).toConstantValue(new IssuerVerifier('https://idp-b.example'));
    const after = container.get(ValetTypes.Verifier);
    expect(after).not.toBe(before);
    await expect(after.verify('https://idp-b.example:bob')).resolves.toMatchObject({
      issuer: 'https://idp-b.example',
    });
    await expect(after.verify('https://idp-a.example:alice')).rejects.toThrow(
      'not a token of https://idp-b.example',
    );
  });

  it('leaves the verifier unbound when none is given', () => {
    expect(containerWith().isBound(ValetTypes.Verifier)).toBe(false);
  });

  it('fails when created, not when first used, for a misdeclared toolset', () => {
    @Toolset()
    class Typo {
      @Tool({ description: 'x' }) @RequiresScope('notes:raed') x(): void {}
    }
    expect(() => valetContainerModule({ toolsets: [Typo], catalog: scopes })).toThrow(
      new PolicyConfigError(
        '@RequiresScope("notes:raed") on Typo.x: unknown scope "notes:raed". Did you mean "notes:read"?',
      ),
    );
  });

  it('validates its options, naming the field', () => {
    const toolsets = [NoteTools];
    const fields = (options: object): string | undefined => {
      try {
        valetContainerModule({ toolsets, ...options });
      } catch (error) {
        return (error as OptionsError).field;
      }
      return undefined;
    };
    expect(fields({ verifier: {} })).toBe('verifier');
    expect(fields({ audit: { write() {} } })).toBe('audit');
    expect(fields({ catalog: {} })).toBe('catalog');
    expect(fields({ toolsets: 'NoteTools' })).toBe('toolsets');
  });
});

describe('resolveToolset', () => {
  it('refuses a class that was not bound, saying where to list it', () => {
    expect(() => resolveToolset(containerWith(), NoteTools)).toThrow(
      new OptionsError(
        'toolset',
        'NoteTools is not bound in this container; list it in valetContainerModule({ toolsets }).',
      ),
    );
  });
});
