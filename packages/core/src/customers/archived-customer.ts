import { AppError } from '../errors';
import type { Customer } from './customer.schema';

/**
 * Refuses a change to an archive stub (ADR 0034, "Customer stubs"): the stub holds only the fields
 * lists need, so a write would either lose the archived ones or resurrect a half record. 409
 * `customer_archived`; `POST /v1/customers/{id}/rehydrate` first.
 */
export function assertNotArchived(customer: Pick<Customer, 'id' | 'archivedAt'>): void {
  if (customer.archivedAt) {
    throw new AppError('customer_archived', `Customer ${customer.id} is archived (inactive since before ${customer.archivedAt.slice(0, 10)}); rehydrate it first with POST /v1/customers/${customer.id}/rehydrate`, {
      customerId: customer.id, archivedAt: customer.archivedAt,
    });
  }
}
