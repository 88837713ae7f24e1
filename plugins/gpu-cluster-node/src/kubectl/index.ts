export * from './runKubectl';
export * from './applyPlan';
export * from './teardown';
