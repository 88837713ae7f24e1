export * from './runKubectl';
export * from './applyPlan';
