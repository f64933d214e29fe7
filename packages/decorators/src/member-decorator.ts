/**
 * A method decorator: what {@link Tool}, {@link Resource} and {@link Prompt} return. It only
 * records; `collectToolsets` validates at start-up.
 */
export type MemberDecorator = (
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor,
) => void;
