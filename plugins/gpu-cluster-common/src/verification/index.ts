export * from './expectations';
export * from './ncclResult';
export * from './verdict';
