import { injectable, injectFromBase } from 'inversify';

/**
 * Makes a decorated class injectable for inversify. A subclass also inherits its base's property
 * injections and, without a constructor of its own, its base's constructor arguments.
 */
export function injectableClass(target: abstract new (...args: never[]) => unknown): void {
  injectable()(target);
  if (Object.getPrototypeOf(target) !== Function.prototype) {
    const ownConstructor = Reflect.getOwnMetadata('design:paramtypes', target) !== undefined;
    injectFromBase({ extendConstructorArguments: !ownConstructor, extendProperties: true })(target);
  }
}
