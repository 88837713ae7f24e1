/**
 * Common library of the gpu-cluster plugins: the typed GPU stack spec (zod) and what derives from
 * it, the accelerator catalog and the annotation keys. Isomorphic: no Node APIs.
 *
 * @packageDocumentation
 */
export * from './spec';
export * from './annotations';
export * from './status';
export * from './permissions';
export * from './policy';
export * from './preview';
export * from './verification';
