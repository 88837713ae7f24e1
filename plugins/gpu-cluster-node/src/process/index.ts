export * from './runProcess';
export * from './environment';
export { Redactor, secretVariants, MIN_SECRET_LENGTH } from './redact';
