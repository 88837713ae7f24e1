export { GpuFleetPage, FLEET_POLL_INTERVAL_MS } from './GpuFleetPage';
