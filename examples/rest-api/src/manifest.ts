import { PolicyRegistry } from '@valet/core';
import { createExpressApp } from './express-app.js';
import { scopes } from './scopes.js';

/**
 * What `valet manifest` documents: the routes the Express app declares, registered in a registry
 * of their own. The app is built from the registry alone, not a Valet: no verifier is made, so no
 * issuer has to run and nothing is fetched; the app is never served.
 *
 * ```sh
 * valet manifest examples/rest-api/dist/manifest.js --format md --title 'Files API'
 * ```
 */
export const registry = new PolicyRegistry({ catalog: scopes });

createExpressApp({ valet: registry });

export { scopes };
