export { WhyNotRunning } from './WhyNotRunning';
