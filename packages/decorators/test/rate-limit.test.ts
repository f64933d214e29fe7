import { describe, expect, it } from '@jest/globals';
import {
  PolicyConfigError,
  PolicyRegistry,
  allOf,
  and,
  buildManifest,
  publicAccess,
  rateLimited,
} from '@valet/core';
import {
  Controller,
  Get,
  Prompt,
  Public,
  RateLimit,
  RequiresScope,
  Resource,
  Tool,
  Toolset,
  collectControllers,
  collectToolsets,
  registerToolsets,
  type ToolsetClass,
} from '../src/index.js';

function policies(target: ToolsetClass): Record<string, unknown> {
  const [definition] = collectToolsets([target]);
  return Object.fromEntries(definition!.operations.map((op) => [op.id, op.policy]));
}

function collectError(collect: () => unknown): string {
  try {
    collect();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyConfigError);
    return (error as Error).message;
  }
  throw new Error('collection did not throw');
}

describe('@RateLimit: the same as rateLimited() around the member policy', () => {
  it('wraps the policy of a tool, a resource and a prompt, class requirements included', () => {
    @Toolset()
    @RequiresScope('files:read')
    class Search {
      @Tool({ description: 'Search' }) @RateLimit('60/m') search(): void {}
      @Tool({ description: 'Write' }) @RequiresScope('files:write') @RateLimit('10/30s') write(): void {}
      @Resource({ uri: 'config://app', description: 'Config' }) @RateLimit('5/s') config(): string {
        return '';
      }
      @Prompt({ description: 'Summarize' }) @RateLimit('1/h') summarize(): string {
        return '';
      }
      @Tool({ description: 'Unlimited' }) free(): void {}
    }
    expect(policies(Search)).toEqual({
      search: rateLimited(allOf('files:read'), '60/m'),
      write: rateLimited(and(allOf('files:read'), allOf('files:write')), '10/30s'),
      'resource:config://app': rateLimited(allOf('files:read'), '5/s'),
      'prompt:summarize': rateLimited(allOf('files:read'), '1/h'),
      free: allOf('files:read'),
    });
  });

  it('on a class, limits each operation (each counts apart)', () => {
    @Toolset()
    @RequiresScope('files:read')
    @RateLimit('100/m')
    class Limited {
      @Tool({ description: 'a' }) one(): void {}
      @Tool({ description: 'b' }) two(): void {}
    }
    expect(policies(Limited)).toEqual({
      one: rateLimited(allOf('files:read'), '100/m'),
      two: rateLimited(allOf('files:read'), '100/m'),
    });
  });

  it('limits a public operation (its authenticated callers)', () => {
    @Toolset()
    class Open {
      @Tool({ description: 'Ping' }) @Public() @RateLimit('10/60') ping(): void {}
    }
    expect(policies(Open)).toEqual({ ping: rateLimited(publicAccess(), '10/60') });
  });

  it('limits a route', () => {
    @Controller('/files')
    class Files {
      @Get('/search') @RequiresScope('files:read') @RateLimit('60/m') search(): void {}
    }
    const [files] = collectControllers([Files]);
    expect(files!.routes[0]!.policy).toEqual(rateLimited(allOf('files:read'), '60/m'));
  });

  it('shows in the manifest', () => {
    @Toolset()
    class Search {
      @Tool({ description: 'Search' }) @RequiresScope('files:read') @RateLimit('60/m') search(): void {}
    }
    const registry = new PolicyRegistry();
    registerToolsets(registry, [Search]);
    expect(buildManifest(registry).operations[0]).toMatchObject({
      policyText: 'files:read',
      rateLimit: { limit: 60, windowSeconds: 60, text: 'at most 60 per minute per caller' },
    });
  });
});

describe('@RateLimit: misuse is refused at start-up, naming the decorator and the member', () => {
  it('a bad spec', () => {
    @Toolset()
    class Bad {
      @Tool({ description: 'Search' }) @RequiresScope('files:read') @RateLimit('60/min') search(): void {}
    }
    expect(collectError(() => collectToolsets([Bad]))).toContain(
      '@RateLimit("60/min") on Bad.search: Rate limit "60/min" is not valid',
    );
  });

  it('two limits on one operation: stacked, or on the member and its class', () => {
    @Toolset()
    @RequiresScope('files:read')
    @RateLimit('100/m')
    class Twice {
      @Tool({ description: 'a' }) @RateLimit('60/m') @RateLimit('1/s') stacked(): void {}
      @Tool({ description: 'b' }) @RateLimit('60/m') member(): void {}
    }
    const message = collectError(() => collectToolsets([Twice]));
    expect(message).toContain(
      'has two rate limits: @RateLimit("100/m") on Twice and @RateLimit("60/m") on Twice.stacked. An operation has one limit; keep one.',
    );
    expect(message).toContain('@RateLimit("100/m") on Twice and @RateLimit("60/m") on Twice.member');
  });

  it('on a method that is not an operation', () => {
    @Toolset()
    @Public()
    class Helper {
      @RateLimit('60/m') helper(): void {}
    }
    expect(collectError(() => collectToolsets([Helper]))).toContain('@RateLimit on Helper.helper');
  });
});
