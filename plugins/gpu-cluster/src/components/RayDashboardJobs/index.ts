export { RayDashboardJobs } from './RayDashboardJobs';
