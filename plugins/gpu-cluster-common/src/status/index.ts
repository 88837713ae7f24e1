export * from './model';
export * from './access';
export * from './fleet';
export * from './history';
export * from './fabric';
export * from './component';
