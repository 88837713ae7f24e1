export * from './StackPolicyResolver';
