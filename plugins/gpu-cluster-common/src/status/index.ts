export * from './model';
export * from './access';
