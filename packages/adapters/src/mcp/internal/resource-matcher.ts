import { isUriTemplate, uriTemplateMatcher, type UriVariables } from './uri-template.js';

/** A resource as declared: its operation id and its URI or URI template. */
export interface DeclaredResource {
  readonly id: string;
  readonly uri: string;
}

/** The resource a URI reads, with the variables its template matched. */
export interface MatchedResource<R extends DeclaredResource> {
  readonly resource: R;
  readonly variables: Readonly<Record<string, string | readonly string[]>>;
}

const NO_VARIABLES = Object.freeze({});

/**
 * Finds the declared resource a `resources/read` URI names: a fixed URI first, then the templates
 * in declaration order (RFC 6570, as the MCP SDKs match them). Both the HTTP pre-check and the
 * bound handler use this, so they always authorize the same operation.
 */
export function resourceMatcher<R extends DeclaredResource>(
  resources: readonly R[],
): (uri: string) => MatchedResource<R> | undefined {
  const fixed = new Map<string, R>();
  const templates: (readonly [(uri: string) => UriVariables | null, R])[] = [];
  for (const resource of resources) {
    if (isUriTemplate(resource.uri)) templates.push([uriTemplateMatcher(resource.uri), resource]);
    else fixed.set(resource.uri, resource);
  }
  return (uri) => {
    const exact = fixed.get(uri);
    if (exact !== undefined) return { resource: exact, variables: NO_VARIABLES };
    for (const [match, resource] of templates) {
      const variables = match(uri);
      if (variables !== null) return { resource, variables };
    }
    return undefined;
  };
}
