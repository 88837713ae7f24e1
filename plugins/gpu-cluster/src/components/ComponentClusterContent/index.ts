export { ComponentClusterContent } from './ComponentClusterContent';
