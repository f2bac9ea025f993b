import type { FieldDefinitionInput } from '../fields/field-registry';

/**
 * Installable industry templates: custom fields, suggested tags and sensitive fields for a line of
 * business. Pipelines, stages and sensitive-word lists join them when those capabilities exist.
 */
export interface IndustryTemplate {
  name: string;
  title: string;
  description: string;
  fields: Array<{ key: string } & Partial<FieldDefinitionInput> & Pick<FieldDefinitionInput, 'label' | 'type'>>;
  tags: string[];
  /** Custom fields to encrypt at rest (merged into the tenant's security settings). */
  sensitiveFields: string[];
}

const options = (...values: string[]) => ({ validation: { options: values } });

export const INDUSTRY_TEMPLATES: readonly IndustryTemplate[] = [
  {
    name: 'auto-dealer-4s', title: 'Auto dealer (4S)', description: 'Car sales, test drives, service and trade-ins',
    fields: [
      { key: 'interestedModel', label: 'Interested model', type: 'text' },
      { key: 'budgetCny', label: 'Budget (CNY)', type: 'currency', validation: { min: 0 } },
      { key: 'purchaseStage', label: 'Purchase stage', type: 'enum', ...options('lead', 'test-drive', 'negotiation', 'ordered', 'delivered') },
      { key: 'testDriveAt', label: 'Test drive', type: 'datetime' },
      { key: 'tradeIn', label: 'Trade-in', type: 'boolean' },
      { key: 'vin', label: 'VIN', type: 'text', validation: { regex: '^[A-HJ-NPR-Z0-9]{17}$' } },
    ],
    tags: ['hot-lead', 'test-drive', 'service-due', 'trade-in'], sensitiveFields: [],
  },
  {
    name: 'law-firm', title: 'Law firm', description: 'Clients, matters and conflicts',
    fields: [
      { key: 'practiceArea', label: 'Practice area', type: 'multiEnum', ...options('corporate', 'litigation', 'ip', 'labour', 'family', 'tax') },
      { key: 'conflictChecked', label: 'Conflict check done', type: 'boolean' },
      { key: 'retainerCny', label: 'Retainer (CNY)', type: 'currency', validation: { min: 0 } },
      { key: 'matterNotes', label: 'Matter notes', type: 'longText' },
    ],
    tags: ['retained', 'prospect', 'conflict-pending'], sensitiveFields: ['customFields.matterNotes'],
  },
  {
    name: 'education-training', title: 'Education / training', description: 'Students, courses and trial lessons',
    fields: [
      { key: 'course', label: 'Course', type: 'text' },
      { key: 'studentAge', label: 'Student age', type: 'number', validation: { min: 3, max: 99 } },
      { key: 'trialLessonAt', label: 'Trial lesson', type: 'datetime' },
      { key: 'guardianPhone', label: 'Guardian phone', type: 'phone' },
      { key: 'level', label: 'Level', type: 'enum', ...options('beginner', 'intermediate', 'advanced') },
    ],
    tags: ['trial-booked', 'enrolled', 'renewal-due'], sensitiveFields: [],
  },
  {
    name: 'retail-chain', title: 'Retail chain', description: 'Members, stores and loyalty',
    fields: [
      { key: 'memberTier', label: 'Member tier', type: 'enum', ...options('bronze', 'silver', 'gold', 'platinum') },
      { key: 'homeStore', label: 'Home store', type: 'text' },
      { key: 'points', label: 'Loyalty points', type: 'number', validation: { min: 0 } },
      { key: 'birthday', label: 'Birthday', type: 'date' },
    ],
    tags: ['member', 'vip', 'lapsed'], sensitiveFields: ['customFields.birthday'],
  },
  {
    name: 'medical-clinic', title: 'Medical clinic', description: 'Patients, appointments and follow-ups',
    fields: [
      { key: 'nationalId', label: 'National ID', type: 'text', validation: { regex: '^[0-9]{17}[0-9X]$' } },
      { key: 'bloodType', label: 'Blood type', type: 'enum', ...options('A', 'B', 'AB', 'O', 'unknown') },
      { key: 'allergies', label: 'Allergies', type: 'longText' },
      { key: 'medicalNotes', label: 'Medical notes', type: 'longText' },
      { key: 'nextVisit', label: 'Next visit', type: 'date' },
    ],
    tags: ['new-patient', 'follow-up', 'chronic'], sensitiveFields: ['customFields.nationalId', 'customFields.allergies', 'customFields.medicalNotes'],
  },
  {
    name: 'fitness-club', title: 'Fitness club', description: 'Members, trainers and renewals',
    fields: [
      { key: 'membershipType', label: 'Membership', type: 'enum', ...options('monthly', 'quarterly', 'annual', 'pay-per-visit') },
      { key: 'membershipEnds', label: 'Membership ends', type: 'date' },
      { key: 'trainer', label: 'Personal trainer', type: 'text' },
      { key: 'goals', label: 'Goals', type: 'multiEnum', ...options('weight-loss', 'strength', 'endurance', 'rehab') },
    ],
    tags: ['trial', 'member', 'renewal-due'], sensitiveFields: [],
  },
  {
    name: 'financial-advisory', title: 'Financial advisory', description: 'Clients, risk profiles and suitability',
    fields: [
      { key: 'riskProfile', label: 'Risk profile', type: 'enum', ...options('conservative', 'balanced', 'growth', 'aggressive') },
      { key: 'aumCny', label: 'Assets under management (CNY)', type: 'currency', validation: { min: 0 } },
      { key: 'kycCompleted', label: 'KYC completed', type: 'boolean' },
      { key: 'nationalId', label: 'National ID', type: 'text', validation: { regex: '^[0-9]{17}[0-9X]$' } },
      { key: 'reviewDue', label: 'Review due', type: 'date' },
    ],
    tags: ['kyc-pending', 'high-net-worth', 'review-due'], sensitiveFields: ['customFields.nationalId', 'customFields.aumCny'],
  },
  {
    name: 'b2b-manufacturing', title: 'B2B manufacturing', description: 'Accounts, distributors and RFQs',
    fields: [
      { key: 'creditCode', label: 'Unified social credit code', type: 'text', validation: { regex: '^[0-9A-HJ-NPQRTUWXY]{18}$' } },
      { key: 'annualVolume', label: 'Annual volume (units)', type: 'number', validation: { min: 0 } },
      { key: 'accountTier', label: 'Account tier', type: 'enum', ...options('strategic', 'key', 'standard') },
      { key: 'certifications', label: 'Certifications', type: 'multiEnum', ...options('iso9001', 'iso14001', 'iatf16949', 'ce') },
      { key: 'website', label: 'Website', type: 'url' },
    ],
    tags: ['distributor', 'oem', 'rfq-open'], sensitiveFields: [],
  },
];
