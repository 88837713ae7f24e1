export { ProvisioningRequestsTable } from './ProvisioningRequestsTable';
