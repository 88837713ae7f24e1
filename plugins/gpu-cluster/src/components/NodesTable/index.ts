export { NodesTable } from './NodesTable';
