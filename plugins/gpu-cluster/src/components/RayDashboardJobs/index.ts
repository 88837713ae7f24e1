export { RayDashboardJobs, RayJobState } from './RayDashboardJobs';
