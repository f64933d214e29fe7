import { describe, expect, it } from '@jest/globals';
import { Public, Tool, Toolset, isToolset } from '../src/index.js';

describe('isToolset', () => {
  it('is true only for a class marked @Toolset() itself', () => {
    @Toolset()
    @Public()
    class Marked {
      @Tool({ description: 'a' }) ping(): void {}
    }
    class Subclass extends Marked {}
    class Plain {
      @Tool({ description: 'b' }) pong(): void {}
    }
    expect(isToolset(Marked)).toBe(true);
    expect(isToolset(Subclass)).toBe(false);
    expect(isToolset(Plain)).toBe(false);
  });

  it('is false for values that are not classes', () => {
    for (const value of [undefined, null, 'Marked', {}, [], () => undefined]) {
      expect(isToolset(value)).toBe(false);
    }
  });
});
