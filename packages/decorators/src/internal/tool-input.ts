import 'reflect-metadata';
import type { InputClass } from '../input-class.js';

const NOT_A_DTO = new Map<unknown, string>([
  [String, 'a string'],
  [Number, 'a number'],
  [Boolean, 'a boolean'],
  [Array, 'an array'],
  [Symbol, 'a symbol'],
  [BigInt, 'a bigint'],
  [Function, 'a function'],
  [Promise, 'a promise'],
]);

/** The tool method {@link toolInput} reads the input of. */
export interface ToolMethod {
  /** The toolset's prototype, which carries the method's `design:paramtypes`. */
  readonly prototype: object;
  readonly method: string;
  /** `@Tool({ input })`, when given. */
  readonly explicit: InputClass | undefined;
  /** `Tool "write_file" (FileTools.write)`, for messages. */
  readonly label: string;
}

/** The start-up message for a method that takes parameters but carries no `design:paramtypes`. */
function noMetadata(label: string): string {
  return `${label}: the method takes a parameter but has no emitted type metadata (design:paramtypes), so its input DTO is unknown and every call would be refused. Set "emitDecoratorMetadata": true (with "experimentalDecorators": true) in tsconfig.json, or turn decorator metadata on in your compiler (SWC: jsc.transform.decoratorMetadata; esbuild and tsx do not emit it), or pass @Tool({ input: Dto }).`;
}

/**
 * The input DTO of a tool method: `explicit` (`@Tool({ input })`) or the declared class of its
 * first parameter (`design:paramtypes`, emitted because the method is decorated). Undefined for
 * a method without parameters. Mistakes are added to `problems`, among them a method that takes
 * parameters but was compiled without `emitDecoratorMetadata`.
 */
export function toolInput(tool: ToolMethod, problems: Set<string>): InputClass | undefined {
  const { prototype, method, explicit, label } = tool;
  const params = Reflect.getMetadata('design:paramtypes', prototype, method) as unknown[] | undefined;
  const declared = params?.[0];
  const declaredClass = typeof declared === 'function' && declared !== Object && !NOT_A_DTO.has(declared);
  if (explicit !== undefined) {
    if (declaredClass && declared !== explicit) {
      problems.add(
        `${label}: @Tool({ input: ${explicit.name} }) but its first parameter is declared as ${(declared as InputClass).name}; make them the same class.`,
      );
    }
    return explicit;
  }
  if (params === undefined) {
    const fn = (prototype as Record<string, unknown>)[method];
    // Without emitted metadata the input would be taken as empty, refusing every valid call.
    if (typeof fn === 'function' && fn.length > 0) problems.add(noMetadata(label));
    return undefined;
  }
  if (params.length === 0) return undefined;
  if (declaredClass) return declared as InputClass;
  const kind = NOT_A_DTO.get(declared);
  problems.add(
    kind === undefined
      ? `${label}: the type of its first parameter is not a class (an interface, a type literal, or a class imported with \`import type\`), so its input cannot be validated. Declare it as a DTO class imported as a value, or pass @Tool({ input: Dto }).`
      : `${label}: its first parameter is ${kind}, but tool input is a JSON object. Declare a DTO class for it, or pass @Tool({ input: Dto }).`,
  );
  return undefined;
}
