/** The HTTP methods a {@link Controller} route is declared with. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
