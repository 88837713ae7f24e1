export { WhyNotRunning, ExplanationView } from './WhyNotRunning';
