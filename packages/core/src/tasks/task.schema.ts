import * as z from 'zod';
import { RecordId, UserRef } from '../customers/customer.schema';

/**
 * Task (follow-up) API shapes. The same schemas validate requests at the edge, give the TypeScript
 * types and feed the OpenAPI document (packages/api-spec/src/routes/tasks.docs.ts).
 */

export const TASK_STATUSES = ['open', 'done'] as const;
export const TASK_PRIORITIES = ['low', 'normal', 'high'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Longest description (plain text: stored and returned as is, never rendered as HTML by the API). */
export const MAX_TASK_DESCRIPTION = 5_000;

/**
 * An instant with a UTC offset (`2026-11-25T10:00:00Z`, `2026-11-25T18:00:00+08:00`), stored as
 * `Date.toISOString()` (UTC, milliseconds): fixed width, so it sorts as a string in index keys and
 * compares exactly with timer instants.
 */
export const TaskInstant = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

const Title = z.string().trim().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');
/** Plain text: line breaks and tabs allowed, other control characters not. */
const Description = z.string().max(MAX_TASK_DESCRIPTION).regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'must be plain text (no control characters)');

export const CreateTaskInput = z.strictObject({
  title: Title,
  description: Description.optional(),
  /** When the task is due. */
  dueAt: TaskInstant,
  /** When the assignee is reminded (a `task.due` event); default `dueAt`, never after it. */
  remindAt: TaskInstant.optional(),
  /** The user who does it; default the caller (required for partner clients). */
  assigneeId: UserRef.optional(),
  /** A customer the caller can see. */
  customerId: RecordId.optional(),
  /** A live deal the caller can see. */
  dealId: RecordId.optional(),
  priority: z.enum(TASK_PRIORITIES).default('normal'),
});
export type CreateTaskInput = z.infer<typeof CreateTaskInput>;

/**
 * JSON merge patch of a task: absent = unchanged, null = cleared (description, customerId, dealId;
 * remindAt null = back to dueAt). Moving `dueAt` alone keeps the reminder's lead time. Status only
 * changes through `/complete` and `/reopen`.
 */
export const UpdateTaskInput = z
  .strictObject({
    title: Title.optional(),
    description: Description.nullable().optional(),
    dueAt: TaskInstant.optional(),
    remindAt: TaskInstant.nullable().optional(),
    assigneeId: UserRef.optional(),
    customerId: RecordId.nullable().optional(),
    dealId: RecordId.nullable().optional(),
    priority: z.enum(TASK_PRIORITIES).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'the patch must change at least one field');
export type UpdateTaskInput = z.infer<typeof UpdateTaskInput>;

const Flag = z.enum(['true', 'false']).optional().transform((v) => v === 'true');

export const ListTasksQuery = z.strictObject({
  /** Page size; clamped to 1..200 (default 50). */
  limit: z.coerce.number().int().optional().transform((n) => Math.min(200, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
  /** `me` (the default when neither customerId nor dealId is given) or a user id. */
  assignee: z.union([z.literal('me'), UserRef]).optional(),
  /** Default `open` for assignee lists; all statuses for a record's tasks. */
  status: z.enum(TASK_STATUSES).optional(),
  /** true: open tasks whose dueAt has passed. */
  overdue: Flag,
  customerId: RecordId.optional(),
  dealId: RecordId.optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

export const Task = z.object({
  id: RecordId,
  title: z.string(),
  description: z.string().optional(),
  dueAt: z.iso.datetime(),
  remindAt: z.iso.datetime(),
  assigneeId: z.string(),
  customerId: RecordId.optional(),
  dealId: RecordId.optional(),
  priority: z.enum(TASK_PRIORITIES),
  status: z.enum(TASK_STATUSES),
  /** Org unit the task belongs to for data scoping: its creator's unit (tenant root when none). */
  orgPath: z.string(),
  completedAt: z.iso.datetime().optional(),
  completedBy: z.string().optional(),
  /** When the reminder fired (cleared when dueAt/remindAt move, so the new time reminds again). */
  remindedAt: z.iso.datetime().optional(),
  version: z.number().int().positive(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type Task = z.infer<typeof Task>;

export const TaskPage = z.object({
  items: z.array(Task),
  next: z.string().nullable(),
});
export type TaskPage = z.infer<typeof TaskPage>;
