export * from './stackPlanSummary';
