import * as z from 'zod';
import { RecordId } from '../customers/customer.schema';

/** Largest note body accepted, in UTF-8 bytes (before sanitising). */
export const NOTE_BODY_MAX_BYTES = 50 * 1024;
export const NOTE_FORMATS = ['html', 'text'] as const;

const NoteBody = z
  .string()
  .min(1)
  .refine((s) => Buffer.byteLength(s, 'utf8') <= NOTE_BODY_MAX_BYTES, `must be at most ${NOTE_BODY_MAX_BYTES} bytes (UTF-8)`)
  .meta({ description: 'HTML (sanitised on write: p, br, strong/b, em/i, u, s, ul, ol, li, blockquote, code, pre, a[href], span[data-mention]) or plain text; at most 50 KB' });

/** A new note. Mentions are written in the markup: `<span data-mention="<userId>">@Name</span>`. */
export const CreateNoteInput = z.strictObject({
  body: NoteBody,
  /** `html` (default) is sanitised; `text` is stored as is and is always rendered as text. */
  format: z.enum(NOTE_FORMATS).default('html'),
});
export type CreateNoteInput = z.infer<typeof CreateNoteInput>;

/** An edit replaces the body (and may change its format; it keeps the current one when omitted). */
export const UpdateNoteInput = z.strictObject({
  body: NoteBody,
  format: z.enum(NOTE_FORMATS).optional(),
});
export type UpdateNoteInput = z.infer<typeof UpdateNoteInput>;

export const ListNotesQuery = z.strictObject({
  limit: z.coerce.number().int().optional().transform((n) => Math.min(100, Math.max(1, n ?? 50))),
  after: z.string().max(4096).optional(),
});
export type ListNotesQuery = z.infer<typeof ListNotesQuery>;

export const Note = z.object({
  id: RecordId,
  /** The customer the note was written on (for a deal note: the deal's customer). */
  customerId: RecordId,
  dealId: RecordId.optional(),
  format: z.enum(NOTE_FORMATS),
  /** Sanitised HTML (format html) or plain text (format text). */
  body: z.string(),
  /** Plain text, whitespace collapsed, at most 200 characters. */
  excerpt: z.string(),
  /** User ids mentioned in the body, in order of first mention. */
  mentions: z.array(z.string()),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type Note = z.infer<typeof Note>;
