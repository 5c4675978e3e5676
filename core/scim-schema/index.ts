export * from './definitions.ts';
export * from './path.ts';
export * from './resolve.ts';
export * from './extensions.ts';
