import { accessSamples } from './access.samples';
import { customerSamples } from './customers.samples';
import type { CrossTenantSample } from './sample';

export type { CrossTenantSample } from './sample';
export const crossTenantSamples: Record<string, CrossTenantSample> = { ...customerSamples, ...accessSamples };
