export * from './bind-toolsets.js';
export * from './http-handler.js';
export * from './stdio.js';
export * from './tool-context.js';
