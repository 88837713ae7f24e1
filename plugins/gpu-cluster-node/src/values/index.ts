export * from './envFile';
export * from './loadValues';
