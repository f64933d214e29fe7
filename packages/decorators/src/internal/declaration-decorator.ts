import type { MemberDecorator } from '../member-decorator.js';
import { memberRecordOf, type Declaration } from './metadata.js';

/** A method decorator that records `declaration` on the member it is applied to. */
export function declarationDecorator(declaration: Declaration): MemberDecorator {
  return (target, propertyKey) => {
    memberRecordOf(target, propertyKey).declarations.unshift(declaration);
  };
}
