/**
 * The web requests Valet's HTTP handler admitted (`valet.admit` decided and audited their calls)
 * before handing them to the SDK. A bound handler that sees its request here does not audit its
 * second check; one served by the SDK's own HTTP entry without Valet in front is audited.
 */
const admitted = new WeakSet<object>();

/** Records that the flow admitted `request`. */
export function markAdmitted(request: object): void {
  admitted.add(request);
}

/** True when the flow admitted `request`. */
export function wasAdmitted(request: object | undefined): boolean {
  return request !== undefined && admitted.has(request);
}
