import type { FieldDefinitionInput } from '../fields/field-registry';
import type { WordListInput } from '../compliance/word-lists';
import type { PipelineInput } from '../pipelines/pipeline.schema';

/**
 * Installable industry templates: custom fields, suggested tags, sensitive fields and sensitive-word
 * lists and sales pipelines for a line of business.
 */
export interface IndustryTemplate {
  name: string;
  title: string;
  description: string;
  fields: Array<{ key: string } & Partial<FieldDefinitionInput> & Pick<FieldDefinitionInput, 'label' | 'type'>>;
  tags: string[];
  /** Custom fields to encrypt at rest (merged into the tenant's security settings). */
  sensitiveFields: string[];
  /**
   * Sensitive-word lists where the industry has rules on what may be said (advertising law,
   * financial and medical advertising rules, professional conduct); installed as `template:<name>`.
   */
  wordLists: WordListInput[];
  /** Sales pipelines (installed once, `source: template:<name>`; the tenant edits them freely afterwards). */
  pipelines?: PipelineInput[];
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
    tags: ['hot-lead', 'test-drive', 'service-due', 'trade-in'], sensitiveFields: [], wordLists: [],
    pipelines: [
      {
        name: 'Vehicle sales',
        stages: [
          { key: 'lead', name: 'Lead', probability: 10, slaDays: 3 },
          { key: 'test_drive', name: 'Test drive', probability: 30, slaDays: 7 },
          { key: 'negotiation', name: 'Negotiation', probability: 60, slaDays: 7, requiredFields: ['amount'] },
          { key: 'ordered', name: 'Ordered', probability: 90, requiredFields: ['amount', 'expectedCloseDate'] },
          { key: 'delivered', name: 'Delivered', probability: 100, outcome: 'won' },
          { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost' },
        ],
      },
    ],
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
    wordLists: [
      // Lawyers may not promise outcomes or improper influence (律师执业行为规范).
      { name: 'outcome-promises', action: 'block', words: ['包赢', '稳赢', '保证胜诉', '百分百胜诉', '包打赢官司', '包拿下', '关系搞定', '内部关系', '找关系摆平', '疏通法官'] },
    ],
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
    wordLists: [
      // Education advertising may not promise passing or results (广告法 art. 24).
      { name: 'guaranteed-results', action: 'block', words: ['包过', '保过', '不过退款', '不过全额退款', '通过率100%', '保证提分', '保证通过', '考前押题', '内部题库', '命题专家押题'] },
    ],
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
    wordLists: [
      // Absolute claims banned in advertising (广告法 art. 9): flagged for review rather than refused.
      { name: 'absolute-claims', action: 'flag', words: ['最高级', '最佳', '最低价', '全网最低', '国家级', '世界级', '第一品牌', '顶级', '极品', '史上最'] },
    ],
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
    wordLists: [
      // Patient privacy: masked in outgoing messages.
      { name: 'patient-privacy', action: 'mask', words: ['病历号', '病案号', '诊断结果', '检验报告', '病史', '艾滋病', 'HIV', '乙肝', '梅毒', '精神疾病', '抑郁症', '不孕不育'] },
      // Medical advertising may not promise cures or efficacy (广告法 art. 16, 医疗广告管理办法).
      { name: 'medical-claims', action: 'block', words: ['根治', '包治', '治愈率', '药到病除', '无效退款', '无副作用', '祖传秘方', '保证治愈', '一次见效'] },
    ],
  },
  {
    name: 'fitness-club', title: 'Fitness club', description: 'Members, trainers and renewals',
    fields: [
      { key: 'membershipType', label: 'Membership', type: 'enum', ...options('monthly', 'quarterly', 'annual', 'pay-per-visit') },
      { key: 'membershipEnds', label: 'Membership ends', type: 'date' },
      { key: 'trainer', label: 'Personal trainer', type: 'text' },
      { key: 'goals', label: 'Goals', type: 'multiEnum', ...options('weight-loss', 'strength', 'endurance', 'rehab') },
    ],
    tags: ['trial', 'member', 'renewal-due'], sensitiveFields: [], wordLists: [],
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
    wordLists: [
      // Guaranteed returns and illegal fundraising (资管新规 ban on rigid redemption; 防范和处置非法集资条例).
      { name: 'guaranteed-returns', action: 'block', words: ['保本保息', '稳赚不赔', '只赚不赔', '保证收益', '保底收益', '零风险', '无风险', '高额回报', '刚性兑付', '本金无忧', '年化收益保证'] },
      // Suitability red flags for compliance review.
      { name: 'suitability-review', action: 'flag', words: ['内幕消息', '荐股', '代客理财', '私下转账', '返佣'] },
    ],
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
    tags: ['distributor', 'oem', 'rfq-open'], sensitiveFields: [], wordLists: [],
    pipelines: [
      {
        name: 'New business (RFQ)',
        stages: [
          { key: 'rfq', name: 'RFQ received', probability: 10, slaDays: 5 },
          { key: 'qualified', name: 'Qualified', probability: 25, slaDays: 14 },
          { key: 'quoted', name: 'Quoted', probability: 50, slaDays: 21, requiredFields: ['amount', 'expectedCloseDate'] },
          { key: 'sample_approval', name: 'Sample approval', probability: 70, slaDays: 30 },
          { key: 'negotiation', name: 'Negotiation', probability: 85, slaDays: 14 },
          { key: 'won', name: 'Won', probability: 100, outcome: 'won' },
          { key: 'lost', name: 'Lost', probability: 0, outcome: 'lost' },
        ],
      },
      {
        name: 'Renewals',
        stages: [
          { key: 'due', name: 'Renewal due', probability: 60, slaDays: 30 },
          { key: 'in_talks', name: 'In talks', probability: 80, slaDays: 30 },
          { key: 'renewed', name: 'Renewed', probability: 100, outcome: 'won' },
          { key: 'churned', name: 'Churned', probability: 0, outcome: 'lost' },
        ],
      },
    ],
  },
];
